// Pins the phone's lenient checks (Public/assets/collect/checks.js) to the server's
// (Sources/SuiviDomain/Submissions/CampaignAdvisories.swift): the cases of PhoneNumberTests and
// LeadTests in the Swift suites. Run with `node --test Tests/web/`.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { normalisePhone, nationalIDLooksValid, advisories } from '../../Public/assets/collect/checks.js';

describe('phone numbers, as the server reads them', () => {
  const readable = [
    ['77 123 45 67', '+221771234567'], ['771234567', '+221771234567'], ['+221 77 123 45 67', '+221771234567'],
    ['00221771234567', '+221771234567'], ['00 221 77 123 45 67', '+221771234567'], ['221771234567', '+221771234567'],
    ['77-123-45-67', '+221771234567'], ['(+221) 70.111.22.33', '+221701112233'], ['33 822 11 22', '+221338221122'],
    ['77.123.45.67', '+221771234567'], ['(+221) 77-123-45-67', '+221771234567'], ['33 821 00 00', '+221338210000'],
    ['٧٧١٢٣٤٥٦٧', '+221771234567'], ['۷۷ ۱۲۳ ۴۵ ۶۷', '+221771234567'],
  ];
  for (const [written, expected] of readable) {
    test(`${written} is ${expected}`, () => assert.equal(normalisePhone(written), expected));
  }
  const unreadable = ['', '12', '12345', '77 123 45 6', '771234567890', '+33 6 12 34 56 78', '0033 6 12 34 56 78',
    'abc', '87 123 45 67', '77 123 45 67 ext 2', '77 123 45 67é'];
  for (const written of unreadable) {
    test(`"${written}" is not a Senegalese number`, () => assert.equal(normalisePhone(written), null));
  }
});

describe('national ID numbers, checked leniently', () => {
  test('13 digits, spaced or not', () => {
    assert.ok(nationalIDLooksValid('1234567890123'));
    assert.ok(nationalIDLooksValid('1 234 5678 90123'));
  });
  test('too short or with a letter', () => {
    assert.ok(!nationalIDLooksValid('12345'));
    assert.ok(!nationalIDLooksValid('123456789012A'));
    assert.ok(!nationalIDLooksValid('12345678901234'));
  });
});

describe('advisories on a record', () => {
  const fields = [
    { path: '/data/phone', name: 'phone' }, { path: '/data/national_id', name: 'national_id' },
    { path: '/data/group/phone', name: 'phone' }, { path: '/data/artisan_name', name: 'artisan_name' },
  ];
  test('a foreign phone and a short ID are flagged, nothing else', () => {
    const warnings = advisories(fields, {
      '/data/phone': '+33 6 12 34 56 78', '/data/national_id': '12345',
      '/data/group/phone': 'abc', '/data/artisan_name': 'abc',
    });
    assert.deepEqual(warnings, [
      { path: '/data/phone', key: 'phoneWarning' }, { path: '/data/national_id', key: 'nationalIDWarning' },
    ]);
  });
  test('good or empty answers are not flagged', () => {
    assert.deepEqual(advisories(fields, { '/data/phone': '77 123 45 67', '/data/national_id': '' }), []);
  });
});
