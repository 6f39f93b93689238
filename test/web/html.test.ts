import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw, type HtmlValue } from '../../src/web/html.js';

describe('the html tag', () => {
  it.each<{ name: string; value: HtmlValue; want: string }>([
    { name: 'a script element', value: '<script>alert(1)</script>', want: '<p title="x">&lt;script&gt;alert(1)&lt;/script&gt;</p>' },
    { name: 'an attribute break-out', value: '"onerror=alert(1)', want: '<p title="x">&quot;onerror=alert(1)</p>' },
    { name: 'single quotes and backticks', value: "'`", want: '<p title="x">&#39;&#96;</p>' },
    { name: 'an ampersand entity', value: '&lt;', want: '<p title="x">&amp;lt;</p>' },
    { name: 'a number', value: 42, want: '<p title="x">42</p>' },
    { name: 'nothing', value: undefined, want: '<p title="x"></p>' },
    { name: 'false (a condition)', value: false, want: '<p title="x"></p>' },
    { name: 'an array, each item escaped', value: ['<a>', raw('<b>')], want: '<p title="x">&lt;a&gt;<b></p>' },
  ])('escapes $name', ({ value, want }) => {
    expect(html`<p title="x">${value}</p>`.text).toBe(want);
  });

  it('escapes inside attribute values', () => {
    expect(html`<input value="${'" autofocus onfocus="alert(1)'}">`.text).toBe('<input value="&quot; autofocus onfocus=&quot;alert(1)">');
  });

  it('keeps nested html as markup but escapes its values', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}</p>`.text).toBe('<p><b>&lt;i&gt;</b></p>');
    expect(String(inner)).toBe('<b>&lt;i&gt;</b>');
  });

  it('escapes every character that can end a text or attribute context', () => {
    expect(escapeHtml(`&<>"'\``)).toBe('&amp;&lt;&gt;&quot;&#39;&#96;');
  });
});
