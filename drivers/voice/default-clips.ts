/**
 * The tokens of the default clip set, each with the ASCII file name the generator writes (safe in tarballs and on
 * any filesystem) and the text espeak-ng speaks for it. Everything DEFAULT_CALL_TEMPLATE can need is here.
 */
import { DIGIT_TOKENS } from './chinese-number.js';

export interface DefaultClip {
  token: string;
  file: string;
  text: string;
}

const DIGIT_PINYIN = ['ling', 'yi', 'er', 'san', 'si', 'wu', 'liu', 'qi', 'ba', 'jiu'] as const;

const WORDS: DefaultClip[] = [
  { token: '请', file: 'qing.wav', text: '请' },
  { token: '号', file: 'hao.wav', text: '号' },
  { token: '到', file: 'dao.wav', text: '到' },
  { token: '窗口', file: 'chuangkou.wav', text: '窗口' },
  { token: '办理', file: 'banli.wav', text: '办理' },
  { token: '十', file: 'shi.wav', text: '十' },
  { token: '百', file: 'bai.wav', text: '百' },
  { token: '千', file: 'qian.wav', text: '千' },
];

const DIGITS: DefaultClip[] = DIGIT_TOKENS.map((t, i) => ({ token: t, file: `digit-${i}-${DIGIT_PINYIN[i] ?? ''}.wav`, text: t }));

// espeak-ng's Mandarin voices read a lone capital letter the way halls say it (A → ei, B → bi, C → sei).
const LETTERS: DefaultClip[] = Array.from({ length: 26 }, (_, i) => {
  const l = String.fromCharCode(65 + i);
  return { token: l, file: `letter-${l}.wav`, text: l };
});

export const DEFAULT_CLIPS: readonly DefaultClip[] = [...WORDS, ...DIGITS, ...LETTERS];
