#!/usr/bin/env bash
# Re-extract the portal's strings, merge them into the Russian catalog and compile it.
# New entries arrive with an empty msgstr: translate them in app/translations/ru/LC_MESSAGES/messages.po,
# then run this again (tests/test_i18n.py fails while a string is untranslated or the .mo is stale).
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel extract -F babel/babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o babel/messages.pot .
pybabel update -i babel/messages.pot -d app/translations -l ru --no-fuzzy-matching --ignore-obsolete
pybabel compile -d app/translations -l ru
pybabel compile -d app/translations/fab -l ru
