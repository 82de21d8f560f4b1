"""Basic accessibility checks run inside the browser on a loaded portal page: labels, alternatives, language, text
contrast and a visible focus ring. Each answers a list of problems in words (element and rule, never page text)."""

# Every form control a person fills in has a name from a <label for>, a wrapping <label>, aria-label or
# aria-labelledby; hidden inputs and buttons (named by their own text) are not form fields to label.
UNLABELLED_CONTROLS = """() => {
  const problems = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden' || el.type === 'submit' || el.type === 'button') continue;
    const byFor = el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
    const wrapped = el.closest('label');
    const aria = (el.getAttribute('aria-label') || '').trim() || el.getAttribute('aria-labelledby');
    if (!byFor && !wrapped && !aria) problems.push(`${el.tagName.toLowerCase()}#${el.id || '?'} has no label`);
  }
  return problems;
}"""

# Images need a text alternative (alt, which may be empty for decoration) and inline SVGs a role or a hidden flag.
IMAGES_WITHOUT_ALTERNATIVE = """() => {
  const problems = [];
  for (const img of document.querySelectorAll('img')) {
    if (!img.hasAttribute('alt')) problems.push(`img ${img.getAttribute('src')} has no alt`);
  }
  for (const svg of document.querySelectorAll('svg')) {
    if (svg.closest('[aria-hidden="true"]')) continue;
    const named = svg.getAttribute('role') || svg.getAttribute('aria-label') || svg.getAttribute('aria-labelledby')
      || svg.querySelector('title');
    if (!named) problems.push('an inline svg has no role, label or title');
  }
  return problems;
}"""

HTML_LANGUAGE = "() => document.documentElement.getAttribute('lang') || ''"

# WCAG 2 contrast of each visible text's colour against the first opaque background behind it: 4.5:1, or 3:1 for
# large text (24 px, or 18.66 px bold).
LOW_CONTRAST_TEXTS = """() => {
  const channel = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(',').map(s => parseFloat(s));
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const luminance = c => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const background = el => { for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a >= 0.99) return c; }
    return {r: 255, g: 255, b: 255, a: 1}; };
  const problems = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const node = walker.currentNode; const el = node.parentElement;
    if (!el || seen.has(el) || !node.textContent.trim()) continue;
    seen.add(el);
    const style = getComputedStyle(el); const box = el.getBoundingClientRect();
    if (style.visibility === 'hidden' || style.display === 'none' || box.width === 0 || box.right < 0) continue;
    const fg = parse(style.color); const bg = background(el);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize); const bold = parseInt(style.fontWeight) >= 700;
    const needed = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    if (ratio < needed) problems.push(`${el.tagName.toLowerCase()}.${el.className || ''} contrast ${ratio.toFixed(2)}`);
  }
  return problems;
}"""

# The focused element shows a ring (an outline or a box shadow) a keyboard user can see.
FOCUS_IS_VISIBLE = """() => {
  const el = document.activeElement; if (!el || el === document.body) return false;
  const style = getComputedStyle(el);
  return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none';
}"""


def problems_on(page) -> list[str]:
    """Every problem the checks above find on the page as it is now."""
    found = page.evaluate(UNLABELLED_CONTROLS) + page.evaluate(IMAGES_WITHOUT_ALTERNATIVE)
    found += page.evaluate(LOW_CONTRAST_TEXTS)
    if page.evaluate(HTML_LANGUAGE) not in ("en", "hi", "ml"):
        found.append("the html element has no lang of en, hi or ml")
    return found
