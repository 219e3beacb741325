// Progressive enhancement for "near me": fills the coordinate fields from the browser's location.
// The form works without it; the button stays hidden when scripts or geolocation are unavailable.
(function () {
  var button = document.querySelector(".t-locate");
  if (!button || !("geolocation" in navigator)) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var label = button.textContent;
    button.textContent = button.getAttribute("data-locating") || label;
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("lat").value = position.coords.latitude.toFixed(5);
      document.getElementById("lng").value = position.coords.longitude.toFixed(5);
      document.getElementById("near-me-form").submit();
    }, function () {
      button.textContent = label;
      button.disabled = false;
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 });
  });
})();
