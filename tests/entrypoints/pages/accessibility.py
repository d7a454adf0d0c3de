"""An accessibility check the browser tests assert on every page: the `lang` attribute, a label for
every form field, an accessible name for every button and link, alt text on images, and every
interactive element reached by the Tab key."""

from __future__ import annotations

from playwright.sync_api import Page

# Marks each visible interactive element with data-a11y=<n> and reports what the static rules find.
INSPECT = """
() => {
  const problems = [];
  const lang = document.documentElement.getAttribute("lang");
  if (!["fr", "nl", "en"].includes(lang)) problems.push(`html lang is ${lang}`);
  const visible = (el) => el.offsetParent !== null || el.getClientRects().length > 0;
  const named = (el) => (el.getAttribute("aria-label") || el.textContent || "").trim().length > 0
    || el.hasAttribute("aria-labelledby");
  const fields = [...document.querySelectorAll("input:not([type=hidden]), select, textarea")];
  for (const field of fields) {
    const labelled = field.labels.length > 0 || field.hasAttribute("aria-label")
      || field.hasAttribute("aria-labelledby");
    if (!labelled) problems.push(`field ${field.name || field.id} has no label`);
  }
  for (const el of document.querySelectorAll("button, a[href]")) {
    if (!named(el)) problems.push(`${el.tagName.toLowerCase()} ${el.outerHTML.slice(0, 80)} has no name`);
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push(`image ${img.src} has no alt text`);
  }
  const selector = "a[href], button, input:not([type=hidden]), select, textarea";
  const interactive = [...document.querySelectorAll(selector)].filter(visible);
  interactive.forEach((el, index) => el.setAttribute("data-a11y", String(index)));
  return {problems, count: interactive.length};
}
"""


def audit(page: Page) -> list[str]:
    """What the page gets wrong; empty when it passes."""
    found = page.evaluate(INSPECT)
    problems: list[str] = list(found["problems"])
    reached: set[str] = set()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(found["count"] + 2):
        page.keyboard.press("Tab")
        marker = page.evaluate("() => document.activeElement?.getAttribute('data-a11y')")
        if marker is not None:
            reached.add(marker)
    missed = sorted(set(map(str, range(found["count"]))) - reached, key=int)
    for marker in missed:
        outer = page.eval_on_selector(f'[data-a11y="{marker}"]', "el => el.outerHTML.slice(0, 100)")
        problems.append(f"not reachable with Tab: {outer}")
    return problems
