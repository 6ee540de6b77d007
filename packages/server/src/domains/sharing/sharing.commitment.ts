// The usage commitment a consumer unit accepts with every application (§23, §28). Versioned: an application keeps
// the text it accepted, its version and who accepted it; a new text is a new version here, never an edit.

export interface Commitment {
  version: number;
  zh: string;
  en: string;
}

export const COMMITMENTS: Commitment[] = [
  {
    version: 1,
    zh: [
      '本单位承诺：',
      '一、所申请的公共数据仅用于本单位履行法定职责和本申请所述的业务场景，不用于其他任何目的；',
      '二、未经数据提供方同意，不以任何形式将所获数据提供给第三方或对外发布；',
      '三、在制度和管理上保证数据安全，对在敏感数据中知悉的信息予以保密，不泄露、不违法查询或使用；',
      '四、授权到期、撤销或业务终止后，停止使用并按要求删除所获数据；',
      '五、接受区智慧城市运营中心对数据使用情况的监督和审计。',
      '（依据《金凤区公共数据资源管理办法(试行)》第二十三条、第二十八条）',
    ].join('\n'),
    en: [
      'Our unit commits that:',
      '1. the public data applied for is used only for our statutory duties and the business scenario of this application, and for no other purpose;',
      '2. without the provider’s consent, the data is never given to a third party in any form nor published;',
      '3. we keep the data secure by rule and by management, keep confidential what we learn from sensitive data, and never leak, unlawfully query or use it;',
      '4. when the grant expires or is revoked, or the business ends, we stop using the data and delete it as required;',
      '5. we accept the Center’s supervision and audit of how the data is used.',
      '(Measures of Jinfeng District, §23 and §28)',
    ].join('\n'),
  },
];

export const currentCommitment = (): Commitment => COMMITMENTS[COMMITMENTS.length - 1]!;
