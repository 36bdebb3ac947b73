import { describe, expect, it } from 'vitest';
import { wireCommandSchema } from '../../src/bus/command-schema.js';
import { maskName, maskPhone } from '../../src/core/index.js';

const issue = (over: Record<string, unknown>) => ({ id: 'c1', type: 'IssueTicket', serviceId: 'social', delivery: 'none', ...over });
const person = (over: Record<string, unknown> = {}) => ({ idHash: 'a'.repeat(64), idMasked: '1101**********002X', nameMasked: '张*华', idValid: true, ...over });

describe('commands on the wire carry masked personal data only', () => {
  it('accepts the masked forms the kiosk makes (src/core/mask.ts, src/bus/person.ts)', () => {
    for (const name of ['王', '张丽', '张丽华', '欧阳娜娜']) expect(wireCommandSchema.safeParse(issue({ person: person({ nameMasked: maskName(name) }) })).success, name).toBe(true);
    expect(wireCommandSchema.safeParse(issue({ phoneMasked: maskPhone('13912345678') })).success).toBe(true);
    expect(wireCommandSchema.safeParse(issue({ person: person({ idMasked: '', idValid: false }) })).success).toBe(true);
  });
  it('refuses a whole ID number, name or phone in a field meant for its masked form', () => {
    expect(wireCommandSchema.safeParse(issue({ person: person({ idMasked: '11010519491231002X' }) })).success).toBe(false);
    expect(wireCommandSchema.safeParse(issue({ person: person({ nameMasked: '张丽华' }) })).success).toBe(false);
    expect(wireCommandSchema.safeParse(issue({ phoneMasked: '13912345678' })).success).toBe(false);
    expect(wireCommandSchema.safeParse(issue({ phoneMasked: '+86 139 1234 5678' })).success).toBe(false);
  });
});
