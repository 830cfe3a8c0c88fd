// A plan table wider than the screen (a phone) opens scrolled to the owner's own plan,
// just right of the sticky row labels. Without JavaScript it scrolls by hand from Free.
document.querySelectorAll(".table-wrap").forEach((wrap) => {
  const current = wrap.querySelector("th.plan-current");
  const label = wrap.querySelector("th[scope='row']");
  if (!current || wrap.scrollWidth <= wrap.clientWidth) return;
  wrap.scrollLeft = current.offsetLeft - (label ? label.offsetWidth : 0);
});
