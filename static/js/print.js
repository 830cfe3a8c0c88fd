// "Print / Save as PDF": <button data-print hidden> opens the browser's print dialog.
// Without JavaScript the button stays hidden; the download link still works.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
