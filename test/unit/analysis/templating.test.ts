import { describe, expect, it } from 'vitest';
import { placeholders, renderTemplate, resolveArgs, TemplateError } from '../../../src/analysis/templating.js';
import type { TemplateContext } from '../../../src/analysis/templating.js';

const ctx: TemplateContext = {
  args: { service: 'orders', 'error-threshold': '0.05' },
  rollout: { name: 'orders', namespace: 'shop' },
  canaryRevision: 'abc123',
  stableRevision: 'def456',
};

describe('renderTemplate', () => {
  it.each([
    ['rate(x{service="{{args.service}}"}[1m])', 'rate(x{service="orders"}[1m])'],
    ['{{ args.service }}', 'orders'],
    ['{{args.error-threshold}}', '0.05'],
    ['{{rollout.name}}/{{rollout.namespace}}', 'orders/shop'],
    ['{{canary.revision}} {{stable.revision}}', 'abc123 def456'],
    ['{{revision}}', 'abc123'],
    ['no placeholders', 'no placeholders'],
  ])('%s', (template, out) => {
    expect(renderTemplate(template, ctx)).toBe(out);
  });

  it('{{revision}} is the side being queried when set', () => {
    expect(renderTemplate('r="{{revision}}"', { ...ctx, revision: 'def456' })).toBe('r="def456"');
  });

  it.each([
    ['{{args.missing}}', 'args.missing'],
    ['{{rollout.uid}}', 'rollout.uid'],
    ['{{stable.revision}}', 'stable.revision'],
  ])('unresolved %s is an error naming it', (template, key) => {
    const c: TemplateContext = { ...ctx, stableRevision: undefined };
    try {
      renderTemplate(template, c);
      expect.fail('should throw');
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateError);
      expect((e as TemplateError).placeholder).toBe(key);
      expect((e as Error).message).toContain(`{{${key}}}`);
    }
  });

  it('lists every unresolved placeholder', () => {
    expect(() => renderTemplate('{{args.a}} {{args.b}} {{args.a}}', {})).toThrow('unresolved placeholders {{args.a}}, {{args.b}}');
  });

  it('does not treat prototype keys as args', () => {
    expect(() => renderTemplate('{{args.toString}}', { args: {} })).toThrow(TemplateError);
  });

  it('lists placeholders', () => {
    expect(placeholders('{{a}} {{ b }} {{a}}')).toEqual(['a', 'b']);
  });
});

describe('resolveArgs', () => {
  it('step values override template defaults', () => {
    expect(
      resolveArgs(
        [
          { name: 'svc', value: 'a' },
          { name: 'thr', value: '1' },
        ],
        [{ name: 'svc', value: 'b' }],
      ),
    ).toEqual({ svc: 'b', thr: '1' });
  });

  it('an argument without a value is an error naming it', () => {
    expect(() => resolveArgs([{ name: 'svc' }], [])).toThrow('argument "svc" has no value');
  });

  it('accepts supplied args the template does not declare', () => {
    expect(resolveArgs([], [{ name: 'x', value: '1' }])).toEqual({ x: '1' });
  });
});
