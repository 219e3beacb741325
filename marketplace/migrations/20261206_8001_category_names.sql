-- Product category names in the six locales the first migration did not have (zh, ko, ja, ru, fr, ar),
-- the same words as the catalogs' category labels, so a category reads alike on a product page and in search.
UPDATE categories SET name = name || '{"zh": "农产品", "ko": "농산물", "ja": "農産物", "ru": "Сельхозпродукция", "fr": "Produits agricoles", "ar": "منتجات زراعية"}'::jsonb WHERE slug = 'produce';
UPDATE categories SET name = name || '{"zh": "新鲜水果", "ko": "신선 과일", "ja": "生鮮果物", "ru": "Свежие фрукты", "fr": "Fruits frais", "ar": "فواكه طازجة"}'::jsonb WHERE slug = 'fresh-fruit';
UPDATE categories SET name = name || '{"zh": "蔬菜与新鲜香料", "ko": "채소와 신선 향신료", "ja": "野菜・生の香辛料", "ru": "Овощи и свежие пряности", "fr": "Légumes et épices fraîches", "ar": "خضروات وتوابل طازجة"}'::jsonb WHERE slug = 'vegetables';
UPDATE categories SET name = name || '{"zh": "肉类", "ko": "육류", "ja": "肉類", "ru": "Мясо", "fr": "Viande", "ar": "لحوم"}'::jsonb WHERE slug = 'meat';
UPDATE categories SET name = name || '{"zh": "海鲜", "ko": "해산물", "ja": "魚介類", "ru": "Морепродукты", "fr": "Produits de la mer", "ar": "مأكولات بحرية"}'::jsonb WHERE slug = 'seafood';
UPDATE categories SET name = name || '{"zh": "新鲜海鲜", "ko": "신선 해산물", "ja": "鮮魚介", "ru": "Свежие морепродукты", "fr": "Produits de la mer frais", "ar": "مأكولات بحرية طازجة"}'::jsonb WHERE slug = 'seafood-fresh';
UPDATE categories SET name = name || '{"zh": "海产干货", "ko": "건어물", "ja": "干物・乾物", "ru": "Сушёные морепродукты", "fr": "Produits de la mer séchés", "ar": "مأكولات بحرية مجففة"}'::jsonb WHERE slug = 'seafood-dried';
UPDATE categories SET name = name || '{"zh": "地方特产食品", "ko": "지역 특산 식품", "ja": "地元の特産食品", "ru": "Местные продукты", "fr": "Spécialités locales", "ar": "أطعمة محلية"}'::jsonb WHERE slug = 'food';
UPDATE categories SET name = name || '{"zh": "加工食品", "ko": "가공식품", "ja": "加工食品", "ru": "Продукты переработки", "fr": "Produits transformés", "ar": "أغذية مصنّعة"}'::jsonb WHERE slug = 'processed-food';
UPDATE categories SET name = name || '{"zh": "调味品与酱料", "ko": "양념과 소스", "ja": "調味料・たれ", "ru": "Приправы и соусы", "fr": "Condiments et sauces", "ar": "توابل وصلصات"}'::jsonb WHERE slug = 'condiments';
UPDATE categories SET name = name || '{"zh": "饮品", "ko": "음료", "ja": "飲み物", "ru": "Напитки", "fr": "Boissons", "ar": "مشروبات"}'::jsonb WHERE slug = 'beverages';
UPDATE categories SET name = name || '{"zh": "地方菜肴", "ko": "향토 음식", "ja": "郷土料理", "ru": "Местные блюда", "fr": "Plats locaux", "ar": "أطباق محلية"}'::jsonb WHERE slug = 'street-food';
UPDATE categories SET name = name || '{"zh": "手工艺品", "ko": "공예품", "ja": "工芸品", "ru": "Ремёсла", "fr": "Artisanat", "ar": "حِرف يدوية"}'::jsonb WHERE slug = 'crafts';
UPDATE categories SET name = name || '{"zh": "陶器", "ko": "도자기", "ja": "陶器", "ru": "Керамика", "fr": "Poterie", "ar": "فخار"}'::jsonb WHERE slug = 'pottery';
UPDATE categories SET name = name || '{"zh": "织锦与纺织品", "ko": "직물과 수직 비단", "ja": "織物・錦織", "ru": "Ткани и парча", "fr": "Textiles et brocart", "ar": "منسوجات وديباج"}'::jsonb WHERE slug = 'textiles';
UPDATE categories SET name = name || '{"zh": "体验", "ko": "체험", "ja": "体験", "ru": "Впечатления", "fr": "Expériences", "ar": "التجارب"}'::jsonb WHERE slug = 'experiences';
UPDATE categories SET name = name || '{"zh": "旅游线路", "ko": "투어", "ja": "ツアー", "ru": "Туры", "fr": "Circuits", "ar": "جولات"}'::jsonb WHERE slug = 'tours';
UPDATE categories SET name = name || '{"zh": "课程与工作坊", "ko": "클래스와 공방 체험", "ja": "教室・ワークショップ", "ru": "Мастер-классы и занятия", "fr": "Cours et ateliers", "ar": "دروس وورش عمل"}'::jsonb WHERE slug = 'classes';
UPDATE categories SET name = name || '{"zh": "门票", "ko": "입장권", "ja": "入場券", "ru": "Билеты", "fr": "Billets", "ar": "تذاكر"}'::jsonb WHERE slug = 'tickets';
