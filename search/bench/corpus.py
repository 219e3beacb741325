"""Deterministic synthetic listings for the benchmark: Vietnamese and English everywhere, some other locales."""

import random
from collections.abc import Iterator

from search.models import DOCUMENT_KINDS, GeoPoint, SearchDocument

__all__ = ["PHAN_RANG", "SYLLABLES", "ENGLISH", "OTHER_LOCALES", "CATEGORIES", "COMMUNES", "generate"]

PHAN_RANG = (11.5650, 108.9886)
SYLLABLES = (
    "nho ninh thuận gốm bàu trúc tháp chàm vang tỏi măng tây đồi cát biển vịnh làng hội lễ xanh đỏ ngọt thơm "
    "cay mới ngon phan rang hải sản cá mực tôm cua muối đường thốt nốt táo dê cừu rượu mật ong nước mắm bánh "
    "căn xèo gà nướng chả lụa dệt thổ cẩm mỹ nghiệp phước dinh hữu đức vĩnh hy núi chúa sông hồ đầm nại "
    "tân sơn long khánh hòa bắc nam đông tây trung tâm chợ quán nhà vườn trại cây lá hoa quả hạt gạo nếp "
    "đậu phộng mè đen trắng vàng nâu tím nhỏ lớn cao thấp xa gần đẹp vui lành sạch tươi khô chín sống"
).split()
ENGLISH = (
    "grape wine pottery tower cham garlic asparagus dune sand bay village festival green red sweet fragrant "
    "spicy fresh seafood fish squid shrimp crab salt sugar palm apple goat sheep honey sauce cake rice "
    "chicken grilled weaving brocade craft mountain river lake market shop house garden farm tree flower "
    "fruit seed bean sesame black white yellow small large beautiful clean dried ripe tour workshop"
).split()
OTHER_LOCALES = {
    "zh": "葡萄 葡萄酒 陶器 占塔 大蒜 芦笋 沙丘 海湾 村庄 节日 海鲜 蜂蜜 市场 花园".split(),
    "ko": "포도 포도주 도자기 참탑 마늘 아스파라거스 모래 언덕 만 마을 축제 해산물 꿀 시장".split(),
    "ja": "ぶどう ワイン 陶器 チャム塔 にんにく アスパラ 砂丘 湾 村 祭り 海産物 はちみつ 市場".split(),
    "ru": "виноград вино керамика башня чеснок спаржа дюна залив деревня праздник мёд рынок сад".split(),
    "fr": "raisin vin poterie tour ail asperge dune baie village fête fruits miel marché jardin".split(),
    "ar": "عنب نبيذ فخار برج ثوم هليون كثيب خليج قرية مهرجان عسل سوق حديقة".split(),
}
TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
CATEGORIES = tuple(f"category_{i}" for i in range(20))
COMMUNES = tuple(22700 + i * 3 for i in range(65))


def _pseudo_word(rng: random.Random) -> str:
    """A long-tail word so the vocabulary grows with the corpus as real text does."""
    onset = rng.choice(("b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "ng", "nh", "ph", "qu", "s", "t", "th",
                        "tr", "v", "x"))
    vowel = rng.choice(("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "oa", "uy", "ia", "ươ"))
    coda = rng.choice(("", "", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "o", "u"))
    return (onset + vowel + TONES[rng.randrange(len(TONES))] + coda + rng.choice(("", "", "", "n", "ng"))).strip()


def generate(count: int, seed: int = 7) -> Iterator[SearchDocument]:
    """Deterministic synthetic listings: vi and en everywhere, about 30% with other locales."""
    rng = random.Random(seed)
    tail = [_pseudo_word(rng) for _ in range(30_000)]
    for n in range(count):
        words = [rng.choice(SYLLABLES) if rng.random() < 0.7 else rng.choice(tail) for _ in range(rng.randint(2, 5))]
        name = {"vi": " ".join(words).capitalize(), "en": " ".join(rng.sample(ENGLISH, rng.randint(2, 4))).title()}
        text = {"vi": " ".join(rng.choice(SYLLABLES) if rng.random() < 0.6 else rng.choice(tail)
                               for _ in range(rng.randint(15, 40))),
                "en": " ".join(rng.choice(ENGLISH) for _ in range(rng.randint(10, 25)))}
        if rng.random() < 0.3:
            for locale in rng.sample(sorted(OTHER_LOCALES), 3):
                name[locale] = " ".join(rng.sample(OTHER_LOCALES[locale], 2))
        kind = DOCUMENT_KINDS[n % len(DOCUMENT_KINDS)]
        price = int(rng.lognormvariate(11.5, 1.0)) // 1000 * 1000 if kind in ("product", "experience") else None
        yield SearchDocument(
            id=f"{kind}:b{n}", kind=kind, slug=f"b{n}", name=name, text=text,  # type: ignore[arg-type]
            category=rng.choice(CATEGORIES), commune_code=rng.choice(COMMUNES),
            point=GeoPoint(PHAN_RANG[0] + rng.uniform(-0.5, 0.5), PHAN_RANG[1] + rng.uniform(-0.5, 0.5)),
            price_min=price, price_max=price * 2 if price else None, rating=round(rng.uniform(3, 5), 1),
            ocop_stars=rng.choice((None, None, 3, 4, 5)), popularity=int(rng.paretovariate(1.2) * 10),
            available=rng.random() > 0.05, url_path=f"/{kind}s/b{n}",
        )
