#!/usr/bin/env bash
# Extract every translatable string into config/translations/messages.pot and merge it into the
# vi/en/fr catalogs (new strings arrive untranslated; tests/unit/test_i18n_catalogs.py then fails
# until each has a translation).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
$BIN/pybabel extract -F babel.cfg -k lazy_gettext -k _l -o config/translations/messages.pot \
  --ignore-dirs=".venv tests bench migrations .git node_modules" .
for lang in vi en fr; do
  if [ -f "config/translations/$lang/LC_MESSAGES/messages.po" ]; then
    $BIN/pybabel update -N --no-fuzzy-matching -i config/translations/messages.pot -d config/translations -l "$lang"
  else
    $BIN/pybabel init -i config/translations/messages.pot -d config/translations -l "$lang"
  fi
done
