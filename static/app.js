// Small conveniences on top of pages that work without JavaScript.
// "Copy link" buttons copy an event's permalink; without a clipboard the link stays selectable.
document.querySelectorAll("[data-copy]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", async () => {
    const url = new URL(button.getAttribute("data-copy"), window.location.href).href;
    try {
      await navigator.clipboard.writeText(url);
      button.textContent = "Link copied";
    } catch {
      window.prompt("Copy this link:", url);
    }
  });
});
