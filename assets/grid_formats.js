// Number formats for AG Grid cells in the user's language (87,1 in vi and fr; 87.1 in en).
// The grid evaluates its {"function": ...} strings without eval (the CSP forbids it), calling what is here.
window.dashAgGridFunctions = window.dashAgGridFunctions || {};
(function (functions) {
    var formats = {};
    functions.pulseNumber = function (value, language, digits) {
        if (value === null || value === undefined || value === "" || isNaN(value)) {
            return "";
        }
        var key = language + ":" + digits;
        if (!formats[key]) {
            formats[key] = new Intl.NumberFormat(language, {
                minimumFractionDigits: digits,
                maximumFractionDigits: digits,
            });
        }
        return formats[key].format(value);
    };
})(window.dashAgGridFunctions);
