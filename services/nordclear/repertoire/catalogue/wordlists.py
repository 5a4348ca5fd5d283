"""Word and name lists the repertoire generator draws from, per language.

Languages are ISO 639-1 codes as CWR writes them: SV Swedish, NO Norwegian, DA Danish, FI Finnish, IS
Icelandic, EN English, DE German. The lists are deliberately rich in å ä ö ø æ þ ð and in names that
are spelled several ways in the wild (Sørensen, Järvinen, Þórðarson), because that is what the search
and the matcher must cope with. Grammar (gender, inflection) is not modelled: titles are realistic in
their letters and their lengths, not always in their agreement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True, slots=True)
class Language:
    """The vocabulary of one language: title words, title templates, places and personal names.

    Templates, each with a relative weight, use ``{n}``/``{n2}`` for nouns, ``{a}``/``{a2}`` for
    adjectives, ``{c}`` for a compound noun made of two nouns, ``{v}`` for a verb, ``{p}`` for a place.
    Short templates have little room and so produce the duplicate titles every real catalogue has.
    Icelandic family names are patronymics: ``last_names`` are then the fathers' names in the genitive,
    completed with ``-son`` or ``-dóttir``.
    """

    code: str
    nouns: tuple[str, ...]
    adjectives: tuple[str, ...]
    templates: tuple[tuple[str, int], ...]
    places: tuple[str, ...]
    female_names: tuple[str, ...]
    male_names: tuple[str, ...]
    last_names: tuple[str, ...]
    publisher_forms: tuple[str, ...]
    verbs: tuple[str, ...] = ()
    patronymic: bool = False
    title_case: bool = False


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SWEDISH: Final = Language(
    code="SV",
    nouns=_words(
        "sommar natt dag kärlek hjärta himmel hav sjö skog stjärna vind regn snö vinter vår höst morgon "
        "kväll ljus mörker dröm sång visa vals polska båt strand ö fjäll älv väg stad hem vän flicka pojke "
        "mamma pappa barn själ eld is tår blomma ros äng gräs sol måne moln fågel svala trana älg räv kyrka "
        "klocka brev kyss dans fest midsommar jul tid minne längtan saknad frihet tystnad gryning skymning "
        "fyr hamn segel våg bro gata torg park trädgård äpple körsbär lingon hjortron björk gran ek lönn "
        "bäck källa fors dal mosse höjd krog bröllop resa tåg stjärnfall"
    ),
    adjectives=_words(
        "blå röd vit svart grön gul gyllene stilla ljus mörk kall varm lång kort ny gammal ung vild tyst "
        "ensam evig sista första söt glad ledsen lätt tung fri förlorad hemlig älskad öde bränd frusen "
        "sövande ödslig högljudd snäll hård mjuk"
    ),
    templates=(
        ("{n}", 2),
        ("{c}", 6),
        ("{a} {n}", 4),
        ("{a} {c}", 12),
        ("{c} i {p}", 10),
        ("{n} och {n2}", 3),
        ("{c} och {n2}", 8),
        ("visan om {c}", 3),
        ("min {c}", 3),
        ("{a} {n} i {p}", 8),
        ("när {c} kommer", 3),
        ("från {p} till {c}", 6),
        ("{a} {n} och {a2} {n2}", 12),
        ("du är min {a} {c}", 6),
        ("sista {c} i {p}", 6),
    ),
    places=_words(
        "Malmö Göteborg Stockholm Uppsala Västerås Örebro Luleå Umeå Jönköping Gävle Norrköping Sundsvall "
        "Åre Visby Ystad Söder Österlen Hälsingland Härnösand Kiruna Åmål Växjö Skåne Öland Dalarna"
    ),
    female_names=_words(
        "Anna Eva Maria Karin Kristina Lena Sara Emma Elin Ida Linnéa Åsa Märta Maja Astrid Ingrid Sigrid "
        "Agnes Ebba Frida Sofia Malin Jenny Annika Birgitta Gunilla Britt Solveig Lotta Tove Moa"
    ),
    male_names=_words(
        "Erik Lars Karl Anders Johan Per Nils Olof Björn Göran Håkan Jörgen Mats Måns Evert Ulf Bengt Gösta "
        "Åke Örjan Pär Torbjörn Stig Sven Ture Lasse Jan Mikael Fredrik Magnus Tomas Benny"
    ),
    last_names=_words(
        "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson "
        "Pettersson Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Lindqvist Lindström Bergström "
        "Åberg Öberg Ståhl Sjöberg Löfgren Håkansson Ekström Nordström Sundström Wallin Björk Holmqvist "
        "Engström Söderberg Taube Åkerlund Hedström Dahlgren Strömberg Sjöström Östlund Vreeswijk Ådahl"
    ),
    publisher_forms=("{} Musikförlag AB", "{} Förlag AB", "Musikförlaget {} AB", "{} Songs AB"),
)

NORWEGIAN: Final = Language(
    code="NO",
    nouns=_words(
        "sommer natt dag kjærlighet hjerte himmel hav sjø skog stjerne vind regn snø vinter vår høst morgen "
        "kveld lys mørke drøm sang vise vals båt strand øy fjell elv vei by hjem venn jente gutt mor far "
        "barn sjel ild is tåre blomst rose eng gress sol måne sky fugl svale elg rev kirke klokke brev kyss "
        "dans fest sankthans jul tid minne lengsel savn frihet stillhet daggry skumring fyr havn seil bølge "
        "bro gate torg hage eple kirsebær tyttebær multe bjørk gran eik lønn bekk kilde foss dal myr høyde "
        "bryllup reise tog nordlys fjord seter hytte"
    ),
    adjectives=_words(
        "blå rød hvit svart grønn gul gyllen stille lys mørk kald varm lang kort ny gammel ung vill taus "
        "ensom evig siste første søt glad trist lett tung fri fortapt hemmelig elsket øde brent frossen"
    ),
    templates=(
        ("{n}", 2),
        ("{c}", 6),
        ("{a} {n}", 4),
        ("{a} {c}", 12),
        ("{c} i {p}", 10),
        ("{n} og {n2}", 3),
        ("{c} og {n2}", 8),
        ("visa om {c}", 3),
        ("min {c}", 3),
        ("{a} {n} i {p}", 8),
        ("når {c} kommer", 3),
        ("fra {p} til {c}", 6),
        ("{a} {n} og {a2} {n2}", 12),
        ("du er min {a} {c}", 6),
    ),
    places=_words(
        "Bergen Tromsø Bodø Ålesund Trondheim Oslo Stavanger Lillehammer Hamar Førde Molde Røros Hønefoss "
        "Sørlandet Nordfjord Lofoten Finnmark Kragerø Grimstad Lærdal Ørsta Hardanger"
    ),
    female_names=_words(
        "Kari Ingrid Åse Sigrid Solveig Ragnhild Trine Marit Kjersti Siri Liv Guro Anne Hanne Ingeborg "
        "Tone Sissel Randi Åshild Gøril Mari Silje Oddny Aurora"
    ),
    male_names=_words(
        "Ole Ola Bjørn Øystein Ståle Håkon Knut Eirik Torbjørn Geir Øyvind Sindre Jørgen Åsmund Tor Vegard "
        "Halvard Ørjan Arne Odd Terje Kåre Sverre Magne Morten Espen Kjetil Jøran"
    ),
    last_names=_words(
        "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen Berg Haugen "
        "Hagen Bakken Dahl Strand Lie Moen Solberg Bø Sæther Løken Østby Nygård Ødegård Kvåle Haugland "
        "Sørensen Ødegaard Brænne Rønning Aasen Myhre Prøysen Bjørnstad Grøndahl Skjærvø Hovland Åsheim"
    ),
    publisher_forms=("{} Musikkforlag AS", "{} Forlag AS", "Musikkforlaget {} AS", "{} Songs AS"),
)

DANISH: Final = Language(
    code="DA",
    nouns=_words(
        "sommer nat dag kærlighed hjerte himmel hav sø skov stjerne vind regn sne vinter forår efterår "
        "morgen aften lys mørke drøm sang vise vals båd strand ø bakke å vej by hjem ven pige dreng mor far "
        "barn sjæl ild is tåre blomst rose eng græs sol måne sky fugl svale ræv kirke klokke brev kys dans "
        "fest sankthans jul tid minde længsel savn frihed stilhed daggry skumring fyr havn sejl bølge bro "
        "gade torv have æble kirsebær bøg eg birk bæk kilde dal mose høj bryllup rejse tog fjord hede"
    ),
    adjectives=_words(
        "blå rød hvid sort grøn gul gylden stille lys mørk kold varm lang kort ny gammel ung vild tavs "
        "ensom evig sidste første sød glad trist let tung fri fortabt hemmelig elsket øde brændt frossen"
    ),
    templates=(
        ("{n}", 2),
        ("{c}", 6),
        ("{a} {n}", 4),
        ("{a} {c}", 12),
        ("{c} i {p}", 10),
        ("{n} og {n2}", 3),
        ("{c} og {n2}", 8),
        ("visen om {c}", 3),
        ("min {c}", 3),
        ("{a} {n} i {p}", 8),
        ("når {c} kommer", 3),
        ("fra {p} til {c}", 6),
        ("{a} {n} og {a2} {n2}", 12),
        ("du er min {a} {c}", 6),
    ),
    places=_words(
        "København Århus Aalborg Odense Esbjerg Køge Skagen Ærø Næstved Helsingør Nørrebro Vesterbro "
        "Østerbro Frederiksberg Fanø Møn Bornholm Randers Vejle Sønderborg Tønder Ribe"
    ),
    female_names=_words(
        "Mette Hanne Bodil Kirsten Lærke Birthe Grethe Ulla Sofie Ida Signe Tove Karen Inger Lene Susanne "
        "Gitte Søs Maja Freja Asta Ditte Trine Nanna"
    ),
    male_names=_words(
        "Søren Jørgen Asger Mads Rasmus Anders Niels Jens Poul Kasper Frederik Morten Thøger Ebbe Bent "
        "Kim Henrik Steffen Claus Torben Bjarke Ulrik Jesper Kåre Børge"
    ),
    last_names=_words(
        "Jensen Nielsen Hansen Pedersen Andersen Christensen Larsen Sørensen Rasmussen Jørgensen Petersen "
        "Madsen Kristensen Olsen Thomsen Christiansen Poulsen Johansen Møller Mortensen Kjær Lund Holm "
        "Søndergaard Bæk Højgaard Krøyer Brøndum Skovgaard Vestergaard Østergaard Lærkesen Bødker Grønbæk"
    ),
    publisher_forms=("{} Musikforlag ApS", "{} Forlag A/S", "Musikforlaget {} ApS", "{} Songs ApS"),
)

FINNISH: Final = Language(
    code="FI",
    nouns=_words(
        "kesä yö päivä rakkaus sydän taivas meri järvi metsä tähti tuuli sade lumi talvi kevät syksy aamu "
        "ilta valo pimeys uni laulu valssi tango vene ranta saari tunturi joki tie kaupunki koti ystävä "
        "tyttö poika äiti isä lapsi sielu tuli jää kyynel kukka ruusu niitty ruoho aurinko kuu pilvi lintu "
        "pääsky kurki hirvi kettu kirkko kello kirje suudelma tanssi juhla juhannus joulu aika muisto "
        "kaipaus ikävä vapaus hiljaisuus aamunkoitto hämärä majakka satama purje aalto silta katu tori "
        "puutarha omena kirsikka puolukka lakka koivu kuusi tammi vaahtera puro lähde koski laakso suo "
        "häät matka juna revontuli sauna mökki"
    ),
    adjectives=_words(
        "sininen punainen valkoinen musta vihreä keltainen kultainen hiljainen kirkas synkkä kylmä lämmin "
        "pitkä lyhyt uusi vanha nuori villi yksinäinen ikuinen viimeinen ensimmäinen suloinen iloinen "
        "surullinen kevyt raskas vapaa kadonnut salainen rakas autio jäätynyt"
    ),
    templates=(
        ("{n}", 2),
        ("{c}", 8),
        ("{a} {n}", 4),
        ("{a} {c}", 14),
        ("{n} ja {n2}", 3),
        ("{c} ja {n2}", 10),
        ("{n}, {c}", 6),
        ("minun {c}", 3),
        ("{a} {n} ja {a2} {n2}", 14),
        ("{p}, {a} {c}", 8),
    ),
    places=_words(
        "Helsinki Hämeenlinna Jyväskylä Tampere Turku Oulu Kuopio Mikkeli Rovaniemi Pyhäjärvi "
        "Lappeenranta Vaasa Jämsä Seinäjoki Äänekoski Närpiö Kemijärvi Pälkäne Sääksmäki"
    ),
    female_names=_words(
        "Aino Päivi Sirkka Sari Tiina Riikka Hannele Marjatta Elina Sanna Kaisa Jaana Tuula Satu Minna "
        "Anneli Helmi Vappu Kyllikki Hilkka Tarja Pirjo Maarit"
    ),
    male_names=_words(
        "Eino Väinö Jyrki Tuomas Jukka Mikko Juha Pekka Matti Heikki Kalle Ville Antti Ilkka Seppo Lauri "
        "Aleksi Esa Jari Kari Timo Yrjö Jaakko Reijo Veikko"
    ),
    last_names=_words(
        "Korhonen Virtanen Mäkinen Nieminen Mäkelä Hämäläinen Laine Heikkinen Koskinen Järvinen Lehtonen "
        "Lehtinen Saarinen Salminen Heinonen Niemi Heikkilä Kinnunen Salonen Turunen Salo Laitinen "
        "Tuominen Rantanen Karjalainen Jokinen Mattila Savolainen Lahtinen Ahonen Räsänen Pöllänen "
        "Kärkkäinen Hyvönen Sibelius Kääriäinen Väisänen Ylönen"
    ),
    publisher_forms=("{} Musiikki Oy", "Musiikkikustannus {} Oy", "{} Publishing Oy", "{} Songs Oy"),
)

ICELANDIC: Final = Language(
    code="IS",
    nouns=_words(
        "sumar nótt dagur ást hjarta himinn haf vatn skógur stjarna vindur regn snjór vetur vor haust "
        "morgunn kvöld ljós myrkur draumur söngur vísa vals bátur strönd eyja fjall á vegur borg heimili "
        "vinur stúlka drengur móðir faðir barn sál eldur ís tár blóm rós engi gras sól máni ský fugl lóa "
        "spói hrafn kirkja klukka bréf koss dans veisla jól tími minning þrá frelsi þögn dögun rökkur viti "
        "höfn segl alda brú gata torg garður epli birki lækur lind foss dalur mýri brúðkaup ferð jökull "
        "hraun norðurljós fjörður heiði blóð heiður"
    ),
    adjectives=_words(
        "blár rauður hvítur svartur grænn gulur gullinn kyrr bjartur dimmur kaldur hlýr langur stuttur "
        "nýr gamall ungur villtur þögull einmana eilífur síðasti fyrsti sætur glaður sorgmæddur léttur "
        "þungur frjáls týndur leyndur elskaður auður frosinn"
    ),
    templates=(
        ("{n}", 2),
        ("{c}", 8),
        ("{a} {n}", 4),
        ("{a} {c}", 14),
        ("{n} og {n2}", 3),
        ("{c} og {n2}", 10),
        ("vísan um {c}", 3),
        ("{c} í {p}", 8),
        ("{a} {n} og {a2} {n2}", 14),
        ("{a} {c} yfir {p}", 6),
    ),
    places=_words(
        "Reykjavík Akureyri Ísafjörður Húsavík Höfn Þingvellir Egilsstaðir Selfoss Vík Hafnarfjörður "
        "Seyðisfjörður Þórshöfn Dalvík Hveragerði Þingeyri Flúðir Eskifjörður Siglufjörður"
    ),
    female_names=_words(
        "Þóra Guðrún Sigríður Kristín Margrét Helga Ragnheiður Ásta Björk Bryndís Sóley Dögg Hildur Þórunn "
        "Steinunn Jóhanna Auður Eygló Hrafnhildur Þórdís Ólöf Védís"
    ),
    male_names=_words(
        "Þórður Jón Sigurður Guðmundur Gunnar Ólafur Einar Kristján Björn Magnús Stefán Jóhann Árni "
        "Halldór Eyþór Ægir Hrafn Þorsteinn Ævar Páll Baldur Sigurjón Högni Davíð"
    ),
    last_names=_words(
        "Jóns Sigurðar Guðmundar Gunnars Ólafs Einars Kristjáns Magnús Stefáns Þórðar Árna Halldórs "
        "Eyþórs Ægis Hrafns Þorsteins Páls Baldurs Högna Davíðs Ævars Jóhanns Bjarnar"
    ),
    publisher_forms=("{} Útgáfa ehf.", "Tónlistarútgáfan {} ehf.", "{} Music ehf."),
    patronymic=True,
)

ENGLISH: Final = Language(
    code="EN",
    nouns=_words(
        "love heart night day summer winter sky ocean river road city home friend girl boy dream song "
        "light fire rain snow star moon sun wind storm heaven island harbour bridge street garden rose "
        "kiss dance party time memory freedom silence dawn dusk tide wave shadow mirror window door "
        "highway midnight morning evening angel ghost diamond gold silver fever thunder lightning echo "
        "mountain valley forest lake horizon compass lantern whisper promise secret letter photograph "
        "carousel satellite heartbeat rhythm melody chorus lullaby anthem aurora "
        "train station motel radio telephone paradise kingdom castle"
    ),
    adjectives=_words(
        "blue red white black green golden quiet bright dark cold warm long short new old young wild lonely "
        "endless last first sweet happy sad lost secret broken frozen electric northern silent lucky "
        "crazy restless beautiful dangerous perfect distant hollow burning shining empty little tender "
        "midnight velvet"
    ),
    verbs=_words(
        "hold kiss chase follow save call find leave love miss remember forget catch touch break light "
        "burn hide keep take"
    ),
    templates=(
        ("{n}", 2),
        ("{a} {n}", 5),
        ("{a} {n}s", 3),
        ("{a} {n} in {p}", 8),
        ("the {a} {n} of {n2}", 12),
        ("{n} and {a} {n2}", 10),
        ("my {a} {n}", 4),
        ("{v} the {a} {n}", 12),
        ("{v} me like {a} {n}", 8),
        ("{a} {n} over {p}", 6),
        ("dancing in the {a} {n}", 5),
        ("no more {a} {n2}s", 5),
        ("you are my {a} {n}", 5),
    ),
    places=_words(
        "Malmö Bergen Stockholm Copenhagen Helsinki Reykjavík Oslo Tromsø Gothenburg Aarhus Lapland London"
    ),
    female_names=_words("Sarah Emily Laura Jessica Hannah Rachel Olivia Chloe Megan Amy Kate Lucy"),
    male_names=_words("James John Michael David Daniel Thomas Matthew Andrew Paul Mark Steven Chris"),
    last_names=_words(
        "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker "
        "White Roberts Green Hall Wood Jackson Clarke"
    ),
    publisher_forms=("{} Music Publishing Ltd", "{} Songs Ltd", "{} Music Ltd"),
    title_case=True,
)

GERMAN: Final = Language(
    code="DE",
    nouns=_words("liebe herz nacht tag sommer winter himmel meer fluss straße stadt heimat traum lied licht"),
    adjectives=_words("blau rot weiß schwarz grün golden still hell dunkel kalt warm lang neu alt jung"),
    templates=(("{n}", 1), ("{a} {n}", 2), ("{n} und {n2}", 2)),
    places=_words("Berlin Hamburg München Köln Düsseldorf Lübeck"),
    female_names=_words("Anke Katrin Jutta Sabine Ute Birgit Gisela Jördis"),
    male_names=_words("Jürgen Klaus Stefan Uwe Günter Dieter Jörg Björn"),
    last_names=_words("Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schäfer Köhler Groß"),
    publisher_forms=("{} Musikverlag GmbH", "Edition {} GmbH"),
)

LANGUAGES: Final[Mapping[str, Language]] = MappingProxyType(
    {
        language.code: language
        for language in (SWEDISH, NORWEGIAN, DANISH, FINNISH, ICELANDIC, ENGLISH, GERMAN)
    }
)

# Words for invented band names ("Nordic Ghost", "The Frozen Echoes").
BAND_WORDS: Final = _words(
    "Nordic Arctic Northern Midnight Polar Glacier Fjord Aurora Boreal Silver Ghost Echo Raven Wolf Pine "
    "Harbour Lantern Ember Frost Tundra Saga Rune Viking Tide Comet Neon Velvet Paper Crystal Hollow"
)
