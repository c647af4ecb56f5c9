// Names for two widgets that take no aria props (axe: serious and critical findings):
// - dbc.Progress draws role="progressbar" without a name: each unnamed bar is named by its value ("45 %"),
//   which a screen reader reads in any language, and renamed as the value moves;
// - dcc.Upload's hidden file input has no label: it takes the words of the drop zone around it.
(function () {
    function nameUploads() {
        var inputs = document.querySelectorAll('input[type="file"]:not([aria-label])');
        for (var i = 0; i < inputs.length; i++) {
            var zone = inputs[i].parentElement;
            var words = zone ? zone.textContent.replace(/\s+/g, " ").trim() : "";
            if (words) {
                inputs[i].setAttribute("aria-label", words);
            }
        }
    }
    function name() {
        nameUploads();
        var bars = document.querySelectorAll('.progress-bar[role="progressbar"]');
        for (var i = 0; i < bars.length; i++) {
            var bar = bars[i];
            if (bar.hasAttribute("aria-labelledby") || (bar.hasAttribute("aria-label") && !bar.dataset.pulseNamed)) {
                continue;
            }
            var label = (bar.getAttribute("aria-valuenow") || "0") + " %";
            if (bar.getAttribute("aria-label") !== label) {
                bar.setAttribute("aria-label", label);
                bar.dataset.pulseNamed = "1";
            }
        }
    }
    new MutationObserver(name).observe(document.documentElement, {
        childList: true,
        subtree: true,
        attributes: true,
        attributeFilter: ["aria-valuenow"],
    });
})();
