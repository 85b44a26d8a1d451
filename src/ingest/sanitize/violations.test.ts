import { describe, expect, it } from 'vitest';
import { findSanitizeViolations } from './violations.js';

describe('findSanitizeViolations', () => {
  it('passes ordinary safe content', () => {
    const html =
      '<p>Hi <a href="https://a.example/x?y=1" rel="nofollow">link</a> <a href="mailto:a@b.example">mail</a> ' +
      '<a href="#top">top</a> <a href="/rel">rel</a></p><img src="http://a.example/i.png" alt="">' +
      '<table><tr><td colspan="2">x</td></tr></table>';
    expect(findSanitizeViolations(html)).toEqual([]);
    expect(findSanitizeViolations('')).toEqual([]);
    expect(findSanitizeViolations('plain text with javascript:alert(1) in it')).toEqual([]);
  });

  it.each([
    ['<script>x</script>', 'forbidden element <script>'],
    ['<STYLE>p{}</STYLE>', 'forbidden element <style>'],
    ['<iframe src="https://a.example/"></iframe>', 'forbidden element <iframe>'],
    ['<object></object>', 'forbidden element <object>'],
    ['<embed>', 'forbidden element <embed>'],
    ['<form></form>', 'forbidden element <form>'],
    ['<svg></svg>', 'forbidden element <svg>'],
    ['<math></math>', 'forbidden element <math>'],
    ['<base href="https://a.example/">', 'forbidden element <base>'],
    ['<meta http-equiv="refresh" content="0">', 'forbidden element <meta>'],
    ['<link rel="stylesheet" href="x.css">', 'forbidden element <link>'],
  ])('flags the element in %s', (html, message) => {
    expect(findSanitizeViolations(html)).toContain(message);
  });

  it.each([
    ['<img src="x.png" onerror="alert(1)">', '<img> has event handler attribute onerror'],
    ['<div ONCLICK="x">', '<div> has event handler attribute onclick'],
    ['<p style="color:red">', '<p> has forbidden attribute style'],
    ['<div srcdoc="x">', '<div> has forbidden attribute srcdoc'],
    ['<a formaction="https://a.example/">', '<a> has forbidden attribute formaction'],
  ])('flags the attribute in %s', (html, message) => {
    expect(findSanitizeViolations(html)).toContain(message);
  });

  it.each([
    ['<a href="javascript:alert(1)">', 'javascript'],
    ['<a href="  JAVASCRIPT:alert(1)">', 'javascript'],
    ['<a href="java&#x09;script:alert(1)">', 'javascript'],
    ['<a href="java\nscript:alert(1)">', 'javascript'],
    ['<a href="&#106;avascript:alert(1)">', 'javascript'],
    ['<a href="\u0001javascript:alert(1)">', 'javascript'],
    ['<img src="vbscript:x">', 'vbscript'],
    ['<img src="data:image/png;base64,AAAA">', 'data'],
    ['<blockquote cite="jAvAsCrIpT:x">', 'javascript'],
    ['<img srcset="https://a.example/1.png 1x, javascript:alert(1) 2x">', 'javascript'],
    ['<a xlink:href="javascript:alert(1)">', 'javascript'],
    ['<td background="javascript:x">', 'javascript'],
  ])('flags the URL scheme in %s', (html, scheme) => {
    expect(findSanitizeViolations(html).join('\n')).toContain(`uses the ${scheme}: scheme`);
  });
});
