/* Evidence picker: says which files were chosen, and refuses at once (before anything is sent) a file over
   the size limit, too many files, or more than one request can carry. The server checks everything again. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    pulse_evidence: {
        chosen: function (contents, filenames, texts) {
            var keep = window.dash_clientside.no_update;
            if (!contents || !texts) { return ['', keep]; }
            var list = Array.isArray(contents) ? contents : [contents];
            var names = Array.isArray(filenames) ? filenames : [filenames];
            if (list.length > texts.max_files) { return [texts.too_many, null]; }
            var total = 0, big = [];
            for (var i = 0; i < list.length; i++) {
                var text = list[i] || '';
                var bytes = Math.floor((text.length - text.indexOf(',') - 1) * 3 / 4);
                total += text.length;
                if (bytes > texts.max_bytes) { big.push(names[i]); }
            }
            if (big.length) { return [texts.too_large.replace('%s', big.join(', ')), null]; }
            if (total > texts.max_total) { return [texts.too_much, null]; }
            return [texts.chosen.replace('%s', names.join(', ')), keep];
        }
    }
});
