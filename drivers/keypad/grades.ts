/**
 * The national 好差评 scheme's five grades, and the per-hall table from a keypad's raw grade byte to
 * them. Keypads differ in how many keys they have and how they number them, so the table is configuration.
 */
export type Grade = 1 | 2 | 3 | 4 | 5;

export const GRADE_LABELS: Readonly<Record<Grade, string>> = Object.freeze({
  1: '非常满意',
  2: '满意',
  3: '基本满意',
  4: '不满意',
  5: '非常不满意',
});

/** 不满意 and 非常不满意 are bad: each needs a follow-up record. */
export function isBadGrade(g: Grade): boolean {
  return g >= 4;
}

/** Raw byte (FUNC 11 DATA[0]) → grade. */
export type GradeTable = Readonly<Record<number, Grade>>;

/** ⚠ Unverified default: a five-key evaluator numbering its keys 1 (非常满意) … 5 (非常不满意). */
export const defaultGradeTable: GradeTable = Object.freeze({ 1: 1, 2: 2, 3: 3, 4: 4, 5: 5 });

export function mapGrade(table: GradeTable, raw: number): Grade | undefined {
  const g = table[raw];
  return g === 1 || g === 2 || g === 3 || g === 4 || g === 5 ? g : undefined;
}
