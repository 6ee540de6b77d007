// Chinese surnames (compound ones first, so 欧阳 is not read as 欧) and address levels.
export const COMPOUND_SURNAMES = [
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '长孙',
  '宇文',
  '司徒',
  '夏侯',
  '轩辕',
  '令狐',
  '独孤',
  '南宫',
  '西门',
  '端木',
  '百里',
  '呼延',
  '澹台',
  '公冶',
  '太史',
  '申屠',
  '赫连',
  '万俟',
  '闻人',
  '钟离',
  '宗政',
  '濮阳',
  '淳于',
  '单于',
  '仲孙',
  '拓跋',
  '第五',
  '梁丘',
  '左丘',
  '东郭',
  '段干',
];

const COMMON_SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝';

const COMPOUND = new Set(COMPOUND_SURNAMES);
const HAN = /\p{Script=Han}/u;

export function surnameOf(name: string): string | null {
  const s = name.trim();
  // every compound surname is two characters
  if (s.length > 2 && COMPOUND.has(s.slice(0, 2))) return s.slice(0, 2);
  const cp = s.codePointAt(0);
  if (cp === undefined) return null;
  const first = String.fromCodePoint(cp);
  return HAN.test(first) ? first : null;
}

/** A 2-4 character Han name starting with a known surname (detection heuristic, not proof). */
export function looksLikeName(v: string): boolean {
  const s = v.trim();
  if (!/^\p{Script=Han}{2,4}$/u.test(s)) return false;
  return COMPOUND_SURNAMES.some((c) => s.startsWith(c)) || COMMON_SURNAMES.includes(s[0]!);
}

/** Address levels in order; the index of a level is how much of an address it keeps. */
export const ADDRESS_LEVELS = ['province', 'city', 'district', 'street'] as const;
export type AddressLevel = (typeof ADDRESS_LEVELS)[number];
const LEVEL_RE: Record<AddressLevel, RegExp> = {
  province: /^.*?(省|自治区|特别行政区|(?:北京|天津|上海|重庆)市)/u,
  // 小区, 社区, 园区 … and 超市, 市场 are not administrative levels
  city: /^.*?((?<!超)市(?!场)|自治州|地区|盟)/u,
  district: /^.*?((?<![小社园景校厂矿营])区|县|旗|(?<!超)市(?!场))/u,
  street: /^.*?(街道|镇|乡|苏木)/u,
};

/**
 * Words one of which a level's pattern must find: a text holding none of them cannot match, and is not searched
 * (a search that fails reads the whole text once per alternative).
 */
const LEVEL_WORDS: Record<AddressLevel, string[]> = {
  province: ['省', '自治区', '特别行政区', '市'],
  city: ['市', '自治州', '地区', '盟'],
  district: ['区', '县', '旗', '市'],
  street: ['街道', '镇', '乡', '苏木'],
};
const mayMatch = (level: AddressLevel, text: string) => {
  for (const w of LEVEL_WORDS[level]) if (text.includes(w)) return true;
  return false;
};

/** The address cut after the deepest level not below `keep` it contains ('' when none is found). */
export function addressPrefix(address: string, keep: AddressLevel): string {
  let rest = address.trim();
  let kept = '';
  for (const level of ADDRESS_LEVELS) {
    const m = mayMatch(level, rest) ? LEVEL_RE[level].exec(rest) : null;
    // a level name is short; a long match means the marker word came from further on (…小区, …市场)
    if (m && m[0].length <= 12) {
      kept += m[0];
      rest = rest.slice(m[0].length);
    }
    if (level === keep) break;
  }
  return kept;
}
