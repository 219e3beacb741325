"""A small multilingual set of listings from the Ninh Thuận area, shared by the search tests."""

from search.models import GeoPoint, SearchDocument

PHAN_RANG = GeoPoint(11.5650, 108.9886)

# Communes (post-2025 ward codes, illustrative for tests).
DO_VINH = 22738
PHUOC_DINH = 22900
NINH_HAI = 22800


def doc(id_: str, **fields: object) -> SearchDocument:
    kind, _, key = id_.partition(":")
    defaults: dict[str, object] = {"slug": key, "url_path": f"/{kind}s/{key}"}
    defaults.update(fields)
    return SearchDocument(id=id_, kind=kind, **defaults)  # type: ignore[arg-type]


DOCUMENTS: list[SearchDocument] = [
    doc(
        "product:nho-xanh",
        name={
            "vi": "Nho Ninh Thuận", "en": "Ninh Thuan green grapes", "zh": "宁顺绿葡萄",
            "ko": "닌투언 청포도", "ja": "ニントゥアンのぶどう", "ru": "Виноград Ниньтхуана",
            "fr": "Raisins de Ninh Thuan", "ar": "عنب نينه ثوان",
        },
        summary={"vi": "Nho xanh NH01-48 trồng ở Phước Dinh.", "en": "Green grapes grown in Phuoc Dinh."},
        category="fresh_fruit", commune_code=PHUOC_DINH, point=GeoPoint(11.48, 108.93),
        price_min=30000, price_max=60000, rating=4.6, ocop_stars=4, popularity=900,
    ),
    doc(
        "product:vang-nho",
        name={"vi": "Rượu vang nho Ninh Thuận", "en": "Ninh Thuan grape wine", "zh": "宁顺葡萄酒",
              "ja": "ニントゥアンワイン", "ko": "닌투언 포도주"},
        summary={"vi": "Vang đỏ lên men từ nho địa phương.", "en": "Red wine from local grapes."},
        category="beverage_alcohol", commune_code=PHUOC_DINH, point=GeoPoint(11.50, 108.95),
        price_min=120000, price_max=350000, rating=4.2, ocop_stars=3, popularity=500,
    ),
    doc(
        "product:gom-bau-truc",
        name={"vi": "Gốm Bàu Trúc", "en": "Bau Truc pottery", "fr": "Poterie de Bau Truc",
              "ru": "Керамика Бау Чук", "ar": "فخار باو تروك"},
        summary={"vi": "Gốm Chăm nặn tay, nung lộ thiên.", "en": "Hand-shaped Cham pottery fired in the open."},
        category="handicraft", commune_code=NINH_HAI, point=GeoPoint(11.6106, 108.8496),
        price_min=50000, price_max=800000, rating=4.8, ocop_stars=4, popularity=700,
    ),
    doc(
        "product:toi-phan-rang",
        name={"vi": "Tỏi Phan Rang", "en": "Phan Rang garlic", "zh": "藩朗大蒜"},
        summary={"vi": "Tỏi tía củ nhỏ, thơm cay."},
        category="spice", commune_code=DO_VINH, point=GeoPoint(11.57, 108.99),
        price_min=60000, price_max=120000, rating=4.4, ocop_stars=3, popularity=650, available=False,
    ),
    doc(
        "product:mang-tay",
        name={"vi": "Măng tây xanh", "en": "Green asparagus"},
        category="vegetable", commune_code=PHUOC_DINH, point=GeoPoint(11.46, 108.92),
        price_min=70000, price_max=110000, rating=4.0, popularity=200,
    ),
    doc(
        "product:duong-thot-not",
        name={"vi": "Đường thốt nốt", "en": "Palm sugar"},
        summary={"vi": "Đường nấu từ nhựa cây thốt nốt."},
        category="food", commune_code=NINH_HAI, point=GeoPoint(11.62, 108.86),
        price_min=40000, price_max=90000, popularity=120,
    ),
    doc(
        "attraction:po-klong-garai",
        name={"vi": "Tháp Pô Klông Garai", "en": "Po Klong Garai Cham Towers", "zh": "波克朗加莱占塔",
              "ja": "ポー・クロン・ガライ遺跡", "ko": "포클롱가라이 참탑", "ru": "Башни По Клонг Гарай",
              "fr": "Tours cham de Po Klong Garai", "ar": "أبراج بو كلونغ غاراي"},
        summary={"vi": "Cụm ba tháp Chăm trên đồi Trầu.", "en": "Three Cham brick towers on Trau Hill."},
        category="heritage", commune_code=DO_VINH, point=GeoPoint(11.6018, 108.9465), rating=4.7, popularity=950,
    ),
    doc(
        "attraction:doi-cat-nam-cuong",
        name={"vi": "Đồi cát Nam Cương", "en": "Nam Cuong sand dunes"},
        summary={"vi": "Đồi cát vàng gần làng Chăm.", "en": "Golden dunes next to a Cham village."},
        category="nature", commune_code=PHUOC_DINH, point=GeoPoint(11.53, 108.90), rating=4.5, popularity=800,
    ),
    doc(
        "attraction:vinh-hy",
        name={"vi": "Vịnh Vĩnh Hy", "en": "Vinh Hy Bay"},
        summary={"vi": "Vịnh biển trong xanh giữa núi.", "en": "A clear bay between mountains."},
        category="nature", commune_code=NINH_HAI, point=GeoPoint(11.7233, 109.1960), rating=4.6, popularity=850,
    ),
    doc(
        "event:kate",
        name={"vi": "Lễ hội Katê", "en": "Kate Festival", "fr": "Fête de Katê"},
        summary={"vi": "Lễ hội của người Chăm Bà-la-môn.", "en": "Festival of the Cham Brahmanists."},
        category="festival", commune_code=DO_VINH, point=GeoPoint(11.6018, 108.9465), popularity=600,
    ),
    doc(
        "merchant:htx-dan-duong",
        name={"vi": "Hợp tác xã Đặng Dương", "en": "Dang Duong cooperative"},
        summary={"vi": "Hợp tác xã trồng nho và táo."},
        category="cooperative", commune_code=PHUOC_DINH, point=GeoPoint(11.49, 108.94), popularity=300,
    ),
    doc(
        "experience:lam-gom",
        name={"vi": "Trải nghiệm làm gốm Chăm", "en": "Cham pottery workshop"},
        summary={"vi": "Học nặn gốm với nghệ nhân Bàu Trúc.", "en": "Shape a pot with a Bau Truc artisan."},
        category="workshop", commune_code=NINH_HAI, point=GeoPoint(11.6110, 108.8500),
        price_min=150000, price_max=150000, rating=4.9, popularity=400,
    ),
]
