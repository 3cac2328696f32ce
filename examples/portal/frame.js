// Frames the portal page, passing this page's query string on, so the same settings apply inside.
document.getElementById("portal-frame").src = `index.html${location.search}`;
