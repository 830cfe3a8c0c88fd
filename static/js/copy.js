// Copy buttons: <button data-copy-target="ID" hidden> copies the text of #ID.
// The button stays hidden without JavaScript or without a clipboard.
document.querySelectorAll("[data-copy-target]").forEach((button) => {
  if (!navigator.clipboard) return;
  const status = document.querySelector(".copy-status");
  button.hidden = false;
  button.addEventListener("click", async () => {
    const text = document.getElementById(button.dataset.copyTarget).textContent.trim();
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = "Copied";
      if (status) status.textContent = "The key is on your clipboard.";
    } catch {
      if (status) status.textContent = "Copying failed: select the key and copy it by hand.";
    }
  });
});
