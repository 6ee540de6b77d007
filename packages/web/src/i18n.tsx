// zh-CN by default, English on request; the choice is remembered in the browser.
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { dict, type Key } from './messages.ts';

export type Lang = 'zh' | 'en';
interface I18n {
  lang: Lang;
  setLang(l: Lang): void;
  t(key: Key, vars?: Record<string, string | number>): string;
  /** pick from a { zh, en } pair (server messages) */
  pick(m: { zh: string; en: string }): string;
}

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => (localStorage.getItem('gongshu.lang') === 'en' ? 'en' : 'zh'));
  // the page's language follows the choice from the first render (screen readers, fonts, hyphenation)
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang(l) {
        localStorage.setItem('gongshu.lang', l);
        setLangState(l);
      },
      t(key, vars) {
        let s: string = dict[key][lang === 'zh' ? 0 : 1];
        for (const [k, v] of Object.entries(vars ?? {})) s = s.replaceAll(`{${k}}`, String(v));
        return s;
      },
      pick: (m) => (lang === 'zh' ? m.zh : m.en),
    }),
    [lang],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
