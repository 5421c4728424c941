"""Region, realm and short-code facts from the public OCI region list.

Transcribed as data from ``oci/regions_definitions.py`` of the official ``oci`` SDK 2.189.0.
"""

from __future__ import annotations

__all__ = ["REALM_DOMAINS", "REGION_REALMS", "SHORT_NAMES"]

REALM_DOMAINS: dict[str, str] = {
    "oc1": "oraclecloud.com",
    "oc2": "oraclegovcloud.com",
    "oc3": "oraclegovcloud.com",
    "oc4": "oraclegovcloud.uk",
    "oc8": "oraclecloud8.com",
    "oc9": "oraclecloud9.com",
    "oc10": "oraclecloud10.com",
    "oc14": "oraclecloud14.com",
    "oc15": "oraclecloud15.com",
    "oc19": "oraclecloud.eu",
    "oc20": "oraclecloud20.com",
    "oc21": "oraclecloud21.com",
    "oc23": "oraclecloud23.com",
    "oc24": "oraclecloud24.com",
    "oc26": "oraclecloud26.com",
    "oc29": "oraclecloud29.com",
    "oc35": "oraclecloud35.com",
    "oc42": "oraclecloud42.com",
    "oc51": "oraclecloud51.com",
    "oc52": "oraclecloud52.com",
}

_REGIONS_BY_REALM: dict[str, str] = {
    "oc1": (
        "af-casablanca-1 af-johannesburg-1 ap-batam-1 ap-chuncheon-1 ap-delhi-1 "
        "ap-hyderabad-1 ap-kulai-2 ap-melbourne-1 ap-mumbai-1 ap-osaka-1 ap-seoul-1 "
        "ap-singapore-1 ap-singapore-2 ap-sydney-1 ap-tokyo-1 ca-montreal-1 ca-toronto-1 "
        "eu-amsterdam-1 eu-frankfurt-1 eu-madrid-1 eu-madrid-3 eu-marseille-1 eu-milan-1 "
        "eu-paris-1 eu-stockholm-1 eu-turin-1 eu-zurich-1 il-jerusalem-1 me-abudhabi-1 "
        "me-dubai-1 me-jeddah-1 me-riyadh-1 mx-monterrey-1 mx-queretaro-1 sa-bogota-1 "
        "sa-santiago-1 sa-saopaulo-1 sa-valparaiso-1 sa-vinhedo-1 uk-cardiff-1 "
        "uk-london-1 us-ashburn-1 us-chicago-1 us-phoenix-1 us-saltlake-2 us-sanjose-1 "
    ),
    "oc2": ("us-langley-1 us-luke-1 "),
    "oc3": ("us-gov-ashburn-1 us-gov-chicago-1 us-gov-phoenix-1 "),
    "oc4": ("uk-gov-cardiff-1 uk-gov-london-1 "),
    "oc8": ("ap-chiyoda-1 ap-ibaraki-1 "),
    "oc9": ("me-dcc-muscat-1 me-ibri-1 "),
    "oc10": ("ap-dcc-canberra-1 "),
    "oc14": (
        "eu-dcc-dublin-1 eu-dcc-dublin-2 eu-dcc-milan-1 eu-dcc-milan-2 eu-dcc-rating-1 "
        "eu-dcc-rating-2 "
    ),
    "oc15": ("ap-dcc-gazipur-1 "),
    "oc19": ("eu-frankfurt-2 eu-madrid-2 "),
    "oc20": ("eu-jovanovac-1 "),
    "oc21": ("me-alrayyan-1 me-dcc-doha-1 "),
    "oc23": ("us-somerset-1 us-thames-1 "),
    "oc24": ("eu-crissier-1 eu-dcc-zurich-1 "),
    "oc26": ("me-abudhabi-3 me-alain-1 "),
    "oc29": ("me-abudhabi-2 me-abudhabi-4 "),
    "oc35": ("ap-chuncheon-2 ap-seoul-2 ap-suwon-1 "),
    "oc42": ("us-ashburn-2 us-newark-1 "),
    "oc51": ("eu-budapest-1 "),
    "oc52": ("sa-riodejaneiro-1 "),
}

REGION_REALMS: dict[str, str] = {
    region: realm for realm, names in _REGIONS_BY_REALM.items() for region in names.split()
}

SHORT_NAMES: dict[str, str] = {
    "aga": "us-saltlake-2",
    "ahu": "me-abudhabi-3",
    "ams": "eu-amsterdam-1",
    "arn": "eu-stockholm-1",
    "auh": "me-abudhabi-1",
    "avf": "eu-crissier-1",
    "avz": "eu-dcc-zurich-1",
    "beg": "eu-jovanovac-1",
    "bgy": "eu-dcc-milan-1",
    "bno": "ap-chuncheon-2",
    "bog": "sa-bogota-1",
    "bom": "ap-mumbai-1",
    "brs": "uk-gov-cardiff-1",
    "cdg": "eu-paris-1",
    "cwl": "uk-cardiff-1",
    "dac": "ap-dcc-gazipur-1",
    "dln": "ap-suwon-1",
    "doh": "me-dcc-doha-1",
    "dtm": "eu-dcc-rating-2",
    "dtz": "ap-seoul-2",
    "dus": "eu-dcc-rating-1",
    "dxb": "me-dubai-1",
    "ebb": "us-somerset-1",
    "ebl": "us-thames-1",
    "fra": "eu-frankfurt-1",
    "gru": "sa-saopaulo-1",
    "hnw": "sa-riodejaneiro-1",
    "hsg": "ap-batam-1",
    "hyd": "ap-hyderabad-1",
    "iad": "us-ashburn-1",
    "ibr": "me-ibri-1",
    "icn": "ap-seoul-1",
    "jbp": "ap-kulai-2",
    "jed": "me-jeddah-1",
    "jnb": "af-johannesburg-1",
    "jsk": "eu-budapest-1",
    "kix": "ap-osaka-1",
    "lej": "af-casablanca-1",
    "lfi": "us-langley-1",
    "lhr": "uk-london-1",
    "lin": "eu-milan-1",
    "ltn": "uk-gov-london-1",
    "luf": "us-luke-1",
    "mad": "eu-madrid-1",
    "mct": "me-dcc-muscat-1",
    "mel": "ap-melbourne-1",
    "mrs": "eu-marseille-1",
    "mty": "mx-monterrey-1",
    "mtz": "il-jerusalem-1",
    "mxp": "eu-dcc-milan-2",
    "nja": "ap-chiyoda-1",
    "nrq": "eu-turin-1",
    "nrt": "ap-tokyo-1",
    "onm": "ap-delhi-1",
    "ord": "us-chicago-1",
    "orf": "eu-madrid-3",
    "ork": "eu-dcc-dublin-1",
    "pgc": "us-newark-1",
    "phx": "us-phoenix-1",
    "pia": "us-gov-chicago-1",
    "qro": "mx-queretaro-1",
    "rba": "me-alain-1",
    "ric": "us-gov-ashburn-1",
    "rkt": "me-abudhabi-2",
    "ruh": "me-riyadh-1",
    "scl": "sa-santiago-1",
    "shj": "me-abudhabi-4",
    "sin": "ap-singapore-1",
    "sjc": "us-sanjose-1",
    "snn": "eu-dcc-dublin-2",
    "str": "eu-frankfurt-2",
    "syd": "ap-sydney-1",
    "tus": "us-gov-phoenix-1",
    "ukb": "ap-ibaraki-1",
    "vap": "sa-valparaiso-1",
    "vcp": "sa-vinhedo-1",
    "vll": "eu-madrid-2",
    "vve": "me-alrayyan-1",
    "wga": "ap-dcc-canberra-1",
    "xsp": "ap-singapore-2",
    "yny": "ap-chuncheon-1",
    "yul": "ca-montreal-1",
    "yxj": "us-ashburn-2",
    "yyz": "ca-toronto-1",
    "zrh": "eu-zurich-1",
}
