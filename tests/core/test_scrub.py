"""The scrubber: a corpus of each kind of personal data, in cs/uk/ru/en and transliteration."""

from __future__ import annotations

import pytest

from poradnyk.scrub import MASKS, scrub

# (message, what must disappear, the mask that stands in its place)
CORPUS = [
    # phone numbers
    ("Můj telefon je +420 777 123 456, zavolejte", "777 123 456", "phone"),
    ("мій тел. 777123456 подзвоніть", "777123456", "phone"),
    ("my phone is (+420) 604-111-222", "604-111-222", "phone"),
    ("мой телефон +380 67 123 45 67", "123 45 67", "phone"),
    # e-mails
    ("pište na jana.novakova@seznam.cz prosím", "jana.novakova@seznam.cz", "email"),
    ("моя пошта oksana_k+1@gmail.com", "oksana_k+1@gmail.com", "email"),
    # birth numbers (rodné číslo)
    ("rodné číslo 855312/1234 mi nechtějí uznat", "855312/1234", "birth"),
    ("народне число 8553121234 для страховки", "8553121234", "birth"),
    ("birth number 905101 / 123 on the card", "905101 / 123", "birth"),
    # passports, visas, residence cards
    ("passport FX123456 expired", "FX123456", "document"),
    ("мій паспорт ЕК 654321 прострочений", "ЕК 654321", "document"),
    ("номер візи 12345678, що робити", "12345678", "document"),
    ("číslo průkazu RA1234567 ztratil jsem", "RA1234567", "document"),
    ("pasport nomer ET 123987 ne pryimaiut", "ET 123987", "document"),
    # IBANs and accounts
    ("IBAN CZ65 0800 0000 1920 0014 5399 for the benefit", "CZ65 0800 0000 1920 0014 5399", "iban"),
    ("рахунок UA213223130000026007233566001 в банку", "UA213223130000026007233566001", "iban"),
    ("účet 19-2000145399/0800 nepřišly peníze", "19-2000145399/0800", "iban"),
    # street addresses
    ("bydlím Vinohradská 1234/56, Praha 2", "Vinohradská 1234/56", "address"),
    ("живу на вул. Шевченка 12 у Брні", "Шевченка 12", "address"),
    ("живу на улице Ленина 5", "Ленина 5", "address"),
    ("we live at 12 Baker Street in Brno", "12 Baker Street", "address"),
    ("bydlíme v ulici Masarykova 15", "Masarykova 15", "address"),
    # names after "my name is"
    ("My name is Olena Shevchenko and I need a doctor", "Olena Shevchenko", "name"),
    ("Jmenuji se Petr Novák, potřebuji byt", "Petr Novák", "name"),
    ("Мене звати Оксана Коваленко, потрібна допомога", "Оксана Коваленко", "name"),
    ("меня зовут Ирина, где взять страховку", "Ирина", "name"),
    ("menya zovut Dmytro, kak poluchit vizu", "Dmytro", "name"),
    ("mene zvaty oksana, de shukaty zhytlo", "oksana", "name"),
    ("моє ім'я Тарас, як продовжити захист", "Тарас", "name"),
]


@pytest.mark.parametrize(("message", "secret", "kind"), CORPUS)
def test_each_kind_is_masked(message: str, secret: str, kind: str) -> None:
    scrubbed = scrub(message)
    assert secret not in scrubbed
    assert MASKS[kind] in scrubbed


def test_every_kind_has_examples() -> None:
    kinds = {kind for _, _, kind in CORPUS}
    assert kinds == set(MASKS) - {"number"}


@pytest.mark.parametrize(
    "question",
    [
        "Jak si prodloužit dočasnou ochranu v roce 2026?",
        "Скільки коштує страховка на місяць?",
        "Where do I apply for the humanitarian benefit in Praha 5?",
        "как получить визу в Чехию",
        "Co je to 150 dní v bydlení?",
    ],
)
def test_questions_without_personal_data_stay_as_they_are(question: str) -> None:
    assert scrub(question) == question


def test_the_question_stays_readable_around_the_masks() -> None:
    scrubbed = scrub("Jmenuji se Petr Novák, tel. 777 123 456, kde si vyřídím pojištění?")
    assert scrubbed == "Jmenuji se [name], tel. [phone], kde si vyřídím pojištění?"
