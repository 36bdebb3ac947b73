import { residentIdCheckChar } from '../core/index.js';

/** Fictitious citizens for the demo trickle: valid-looking ID numbers (GB 11643 check digit), names and phones. */
const surnames = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '欧阳', '司马'];
const given = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '建国', '桂兰'];

export interface Citizen {
  idNumber: string;
  name: string;
  phone: string;
}

export function randomCitizen(random: () => number): Citizen {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(random() * 10))).join('');
  const year = 1940 + Math.floor(random() * 65);
  const month = String(1 + Math.floor(random() * 12)).padStart(2, '0');
  const day = String(1 + Math.floor(random() * 28)).padStart(2, '0');
  const first17 = `320102${year}${month}${day}${digits(3)}`;
  return { idNumber: first17 + residentIdCheckChar(first17), name: pick(surnames) + pick(given), phone: `13${digits(9)}` };
}
