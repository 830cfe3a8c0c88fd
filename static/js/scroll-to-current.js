// Something wider than the screen (a phone) opens scrolled to what matters there: the plan
// table at the owner's plan, just right of its sticky row labels; the usage chart at the
// current month. The box names its target in data-scroll-to. Without JavaScript it scrolls by hand.
document.querySelectorAll("[data-scroll-to]").forEach((box) => {
  const target = box.querySelector(box.dataset.scrollTo);
  if (!target || box.scrollWidth <= box.clientWidth) return;
  const label = box.querySelector("th[scope='row']");
  const left = target.getBoundingClientRect().left - box.getBoundingClientRect().left + box.scrollLeft;
  box.scrollLeft = left - (label ? label.offsetWidth : 0); // the browser stops it at the far end
});
