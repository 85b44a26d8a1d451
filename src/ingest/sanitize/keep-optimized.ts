// V8 keeps a closure's optimized code only while some closure made at the same place in the source
// is alive: at a full garbage collection, code whose closures are all dead is dropped. sanitize-html
// makes its parser's callbacks (and the helpers they share) as closures on every call, so after
// each full collection (about one a second in a digest worker) every entry ran unoptimized until V8
// compiled them again: ~20 times per worker in a 50,000-entry first pass. Keeping the last parser
// sanitize-html made alive keeps their optimized code; measured, the pass took ~8% less CPU
// (bench/ANALYSIS.md).
import { createRequire } from 'node:module';

interface HtmlParser {
  end(chunk?: string): void;
}

/** htmlparser2 as sanitize-html loads it: its CommonJS build, not the ESM one `import` gives us. */
function sanitizeHtmlsParserClass(): { prototype: HtmlParser } {
  const requireHere = createRequire(import.meta.url);
  const requireFromSanitizeHtml = createRequire(requireHere.resolve('sanitize-html'));
  return (requireFromSanitizeHtml('htmlparser2') as { Parser: { prototype: HtmlParser } }).Parser;
}

const kept: { parser?: HtmlParser; installed?: boolean } = {};

/** From now on, the last parser sanitize-html ends stays alive until the next (once per thread). */
export function keepSanitizerOptimized(): void {
  if (kept.installed) return;
  kept.installed = true;
  const prototype = sanitizeHtmlsParserClass().prototype;
  const end = prototype.end;
  prototype.end = function endAndKeep(this: HtmlParser, chunk?: string): void {
    kept.parser = this;
    end.call(this, chunk);
  };
}

/** The parser kept alive, if any (for tests). */
export function keptSanitizerParser(): unknown {
  return kept.parser;
}
