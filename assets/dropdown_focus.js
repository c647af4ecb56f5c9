// Dash 4's dropdown reaches its button through a hidden input (aria-hidden yet tabbable: axe's
// "aria-hidden-focus"). Tab goes to the labelled button itself instead; mouse and keys behave the same.
(function () {
    function fix() {
        var inputs = document.querySelectorAll(".dash-dropdown-focus-target");
        for (var i = 0; i < inputs.length; i++) {
            var input = inputs[i];
            if (input.tabIndex === -1 && input.dataset.pulseFocus) {
                continue;
            }
            input.tabIndex = -1;
            input.dataset.pulseFocus = "1";
            var button = input.nextElementSibling;
            if (button && button.tagName === "BUTTON") {
                button.tabIndex = 0;
            }
        }
    }
    new MutationObserver(fix).observe(document.documentElement, { childList: true, subtree: true });
})();
