// The admin site: Django's filter widgets put an aria-label on a plain <span>, which assistive
// technology may ignore; as an image it names the filter box it labels.
window.addEventListener("load", () => {
  document.querySelectorAll(".help-tooltip[aria-label]").forEach((icon) => icon.setAttribute("role", "img"));
});
