// Boxes that scroll sideways when the screen is narrow: tables and the usage chart.
// - While a box overflows, the keyboard reaches it (Tab, then the arrow keys scroll it), and a
//   screen reader announces it as a region named after its table or chart.
// - A box with data-scroll-to opens scrolled to what matters there: the plan table at the
//   owner's plan, just right of its sticky row labels; the usage chart at this month.
// Without JavaScript the boxes still scroll by touch, mouse or trackpad.
function regionName(box) {
  const named = box.querySelector("caption, svg > title");
  const heading = box.closest("section")?.querySelector("h2, h3");
  return (named || heading)?.textContent.trim() || "Table";
}

function reachableWhileOverflowing(box) {
  if (box.scrollWidth > box.clientWidth) {
    box.tabIndex = 0;
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", `${regionName(box)} (scrolls sideways)`);
  } else if (box.hasAttribute("tabindex")) {
    ["tabindex", "role", "aria-label"].forEach((name) => box.removeAttribute(name));
  }
}

function scrollToTarget(box) {
  const target = box.querySelector(box.dataset.scrollTo);
  if (!target || box.scrollWidth <= box.clientWidth) return;
  const label = box.querySelector("th[scope='row']");
  const left = target.getBoundingClientRect().left - box.getBoundingClientRect().left + box.scrollLeft;
  box.scrollLeft = left - (label ? label.offsetWidth : 0); // the browser stops it at the far end
}

const boxes = document.querySelectorAll(".table-wrap, .chart-scroll");
const watcher = new ResizeObserver((entries) => entries.forEach((entry) => reachableWhileOverflowing(entry.target)));
boxes.forEach((box) => {
  reachableWhileOverflowing(box);
  watcher.observe(box);
  if (box.dataset.scrollTo) scrollToTarget(box);
});
