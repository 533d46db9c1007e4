// Repeats in the phone web form, without a browser: which answers an expression sees inside an
// instance, relevance per instance, and the record written as Collect writes it. Run with `node --test Tests/web/`.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FormView } from '../../Public/assets/collect/form.js';
import { instanceXML } from '../../Public/assets/collect/instance.js';

const field = (path, extra = {}) => ({ path, name: path.split('/').pop(), type: 'string', group: false, control: 'input', ...extra });
const form = {
  id: 'menage', version: '1', root: 'data', languages: [],
  fields: [
    field('/data/chef'),
    field('/data/member', { control: 'repeat', group: true }),
    field('/data/member/age', { type: 'int' }),
    field('/data/member/card', { relevant: '../age >= 18' }),
    field('/data/member/vaccine', { control: 'repeat', group: true }),
    field('/data/member/vaccine/name'),
    field('/data/members', { control: null, calculate: 'count(/data/member)' }),
    field('/data/meta', { control: null, group: true }),
    field('/data/meta/instanceID', { control: null, preload: 'uid' }),
  ],
};
const view = (answers, counts) => new FormView(null, form, { fr: {} }, { answers, counts });

describe('answers inside repeats', () => {
  test('a form path expands to every instance, or to this one inside an instance', () => {
    const v = view({}, { '/data/member': 2, '/data/member[2]/vaccine': 3 });
    assert.deepEqual(v.expand('/data/member/age'), ['/data/member[1]/age', '/data/member[2]/age']);
    assert.deepEqual(v.expand('/data/member/vaccine/name', '/data/member[2]/age'),
      ['/data/member[2]/vaccine[1]/name', '/data/member[2]/vaccine[2]/name', '/data/member[2]/vaccine[3]/name']);
    assert.deepEqual(v.expand('/data/member/age', '/data/member[2]/card'), ['/data/member[2]/age']);
  });

  test('relevance is decided per instance', () => {
    const v = view({ '/data/member[1]/age': '12', '/data/member[2]/age': '40' }, { '/data/member': 2 });
    assert.equal(v.isRelevant('/data/member[1]/card'), false);
    assert.equal(v.isRelevant('/data/member[2]/card'), true);
  });

  test('calculations see every instance', () => {
    const v = view({ '/data/member[1]/age': '12', '/data/member[2]/age': '40', '/data/member[3]/age': '70' }, { '/data/member': 3 });
    assert.equal(v.computed()['/data/members'], '3');
  });

  test('a form without repeats keeps plain paths', () => {
    const flat = new FormView(null, { ...form, fields: [field('/data/a'), field('/data/b', { relevant: "/data/a = 'x'" })] },
      { fr: {} }, { answers: { '/data/a': 'x' } });
    assert.equal(flat.isRelevant('/data/b'), true);
    assert.deepEqual(flat.expand('/data/b'), ['/data/b']);
  });
});

describe('the record', () => {
  test('one element per instance, none for a repeat emptied, in form order', () => {
    const answers = {
      '/data/chef': 'Moussa', '/data/member[1]/age': '12', '/data/member[2]/age': '40',
      '/data/member[2]/vaccine[1]/name': 'BCG', '/data/member[2]/vaccine[2]/name': 'Polio',
    };
    const xml = instanceXML(form, answers, { '/data/member': 2, '/data/member[1]/vaccine': 0, '/data/member[2]/vaccine': 2 });
    assert.match(xml, /<chef>Moussa<\/chef><member><age>12<\/age><card\/><\/member><member><age>40<\/age><card\/><vaccine><name>BCG<\/name><\/vaccine><vaccine><name>Polio<\/name><\/vaccine><\/member><members\/>/);
  });

  test('a repeat never touched has one empty instance, as before', () => {
    const xml = instanceXML(form, {});
    assert.match(xml, /<member><age\/><card\/><vaccine><name\/><\/vaccine><\/member>/);
  });
});
