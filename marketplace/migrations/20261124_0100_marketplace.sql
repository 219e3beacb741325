-- Marketplace: merchants (self-service and agent-assisted), catalog, carts, checkouts, orders, reviews.

-- Which commune a community digital-technology team member serves; they approve merchants there.
CREATE TABLE community_agents (
    user_id bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    commune_code integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE merchants (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug text NOT NULL UNIQUE,
    -- NULL while an assisted producer has not taken the account over.
    owner_user_id bigint REFERENCES users (id) ON DELETE SET NULL,
    kind text NOT NULL CHECK (kind IN ('household', 'cooperative', 'company', 'tour_operator')),
    name jsonb NOT NULL,
    story jsonb NOT NULL DEFAULT '{}',
    province_code integer,
    commune_code integer,
    -- The vietnam-provinces release the codes were resolved with: codes differ between releases.
    divisions_version text,
    address text NOT NULL DEFAULT '',
    lat double precision CHECK (lat BETWEEN -90 AND 90),
    lng double precision CHECK (lng BETWEEN -180 AND 180),
    phone text NOT NULL DEFAULT '',
    logo jsonb,
    ocop_stars smallint CHECK (ocop_stars BETWEEN 3 AND 5),
    ocop_certificate_no text,
    ocop_year smallint CHECK (ocop_year BETWEEN 2018 AND 2100),
    ocop_expires_on date,
    offers_pickup boolean NOT NULL DEFAULT true,
    -- NULL: the merchant does not deliver.
    delivery_fee integer CHECK (delivery_fee >= 0),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'suspended')),
    onboarding_step smallint NOT NULL DEFAULT 1,
    submitted_at timestamptz,
    reviewed_by bigint REFERENCES users (id) ON DELETE SET NULL,
    reviewed_at timestamptz,
    review_note text,
    rating_avg numeric(3, 2),
    rating_count integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX merchants_owner_idx ON merchants (owner_user_id);
CREATE INDEX merchants_status_idx ON merchants (status, commune_code);

-- An agent assisting a producer, with the producer's recorded consent.
CREATE TABLE merchant_agents (
    merchant_id bigint NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    agent_user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    consent_given_by text NOT NULL,
    consent_method text NOT NULL CHECK (consent_method IN ('in_person_signature', 'in_person_verbal', 'phone_call', 'paper_form')),
    consent_at timestamptz NOT NULL,
    consent_note text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    ended_at timestamptz,
    PRIMARY KEY (merchant_id, agent_user_id)
);
CREATE INDEX merchant_agents_agent_idx ON merchant_agents (agent_user_id) WHERE ended_at IS NULL;

-- One-time codes with which a producer takes over an assisted account; only the hash is kept.
CREATE TABLE merchant_takeover_codes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id bigint NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL UNIQUE,
    created_by bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    used_by bigint REFERENCES users (id) ON DELETE SET NULL
);

CREATE TABLE agent_audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agent_user_id bigint REFERENCES users (id) ON DELETE SET NULL,
    merchant_id bigint NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    action text NOT NULL,
    details jsonb NOT NULL DEFAULT '{}',
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_audit_log_merchant_idx ON agent_audit_log (merchant_id, at DESC);

CREATE TABLE categories (
    slug text PRIMARY KEY,
    parent_slug text REFERENCES categories (slug),
    name jsonb NOT NULL,
    is_experience boolean NOT NULL DEFAULT false,
    position integer NOT NULL DEFAULT 0
);

CREATE TABLE products (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id bigint NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    slug text NOT NULL UNIQUE,
    kind text NOT NULL DEFAULT 'goods' CHECK (kind IN ('goods', 'experience')),
    category_slug text NOT NULL REFERENCES categories (slug),
    name jsonb NOT NULL,
    description jsonb NOT NULL DEFAULT '{}',
    unit text NOT NULL DEFAULT 'piece',
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'unpublished')),
    deleted_at timestamptz,
    rating_avg numeric(3, 2),
    rating_count integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_merchant_idx ON products (merchant_id) WHERE deleted_at IS NULL;
CREATE INDEX products_category_idx ON products (category_slug) WHERE deleted_at IS NULL AND status = 'published';

-- A variant is a weight/size of goods, or a dated time slot of an experience (stock = seats left).
CREATE TABLE product_variants (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    label jsonb NOT NULL DEFAULT '{}',
    sku text NOT NULL,
    price integer NOT NULL CHECK (price >= 0),
    -- The CHECK is the last line against overselling: a reservation can never drive stock below zero.
    stock integer NOT NULL DEFAULT 0 CHECK (stock >= 0),
    capacity integer CHECK (capacity >= 0),
    starts_at timestamptz,
    ends_at timestamptz,
    position integer NOT NULL DEFAULT 0,
    deleted_at timestamptz,
    CHECK (ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX product_variants_product_idx ON product_variants (product_id);
CREATE UNIQUE INDEX product_variants_sku_key ON product_variants (product_id, sku) WHERE deleted_at IS NULL;

CREATE TABLE product_images (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    storage_key text NOT NULL,
    urls jsonb NOT NULL,
    width integer NOT NULL,
    height integer NOT NULL,
    position integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX product_images_product_idx ON product_images (product_id, position);

CREATE TABLE carts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash bytea UNIQUE,
    user_id bigint UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (token_hash IS NOT NULL OR user_id IS NOT NULL)
);

CREATE TABLE cart_items (
    cart_id bigint NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    variant_id bigint NOT NULL REFERENCES product_variants (id) ON DELETE CASCADE,
    quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 999),
    -- The price the buyer saw when adding; checkout compares it with the current price.
    unit_price_seen integer NOT NULL,
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cart_id, variant_id)
);

CREATE TABLE checkouts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    buyer_user_id bigint NOT NULL REFERENCES users (id),
    contact_name text NOT NULL,
    contact_phone text NOT NULL,
    contact_email text NOT NULL DEFAULT '',
    province_code integer NOT NULL,
    commune_code integer NOT NULL,
    address_line text NOT NULL,
    payment_method text NOT NULL CHECK (payment_method IN ('cod', 'vietqr', 'stripe')),
    total integer NOT NULL CHECK (total >= 0),
    currency text NOT NULL DEFAULT 'VND',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX checkouts_buyer_idx ON checkouts (buyer_user_id);

CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    checkout_id bigint NOT NULL REFERENCES checkouts (id),
    merchant_id bigint NOT NULL REFERENCES merchants (id),
    buyer_user_id bigint NOT NULL REFERENCES users (id),
    status text NOT NULL CHECK (status IN ('pending_payment', 'confirmed', 'shipped', 'delivered', 'completed',
                                            'cancelled', 'refunded')),
    payment_method text NOT NULL CHECK (payment_method IN ('cod', 'vietqr', 'stripe')),
    delivery_method text NOT NULL CHECK (delivery_method IN ('pickup', 'delivery')),
    subtotal integer NOT NULL CHECK (subtotal >= 0),
    delivery_fee integer NOT NULL DEFAULT 0 CHECK (delivery_fee >= 0),
    total integer NOT NULL CHECK (total >= 0),
    currency text NOT NULL DEFAULT 'VND',
    -- Set once stock and slots went back, so a second release is a no-op.
    reservation_released_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_checkout_idx ON orders (checkout_id);
CREATE INDEX orders_merchant_idx ON orders (merchant_id, created_at DESC);
CREATE INDEX orders_buyer_idx ON orders (buyer_user_id, created_at DESC);
CREATE INDEX orders_pending_idx ON orders (created_at) WHERE status = 'pending_payment';

CREATE TABLE order_items (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id bigint NOT NULL REFERENCES products (id),
    variant_id bigint NOT NULL REFERENCES product_variants (id),
    product_name jsonb NOT NULL,
    variant_label jsonb NOT NULL,
    sku text NOT NULL,
    unit text NOT NULL,
    unit_price integer NOT NULL CHECK (unit_price >= 0),
    quantity integer NOT NULL CHECK (quantity > 0),
    line_total integer NOT NULL CHECK (line_total >= 0)
);
CREATE INDEX order_items_order_idx ON order_items (order_id);

CREATE TABLE order_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    from_status text,
    to_status text NOT NULL,
    actor_user_id bigint REFERENCES users (id) ON DELETE SET NULL,
    reason text,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_events_order_idx ON order_events (order_id, id);

CREATE TABLE reviews (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    merchant_id bigint NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    buyer_user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    body text NOT NULL DEFAULT '',
    reply text,
    replied_by bigint REFERENCES users (id) ON DELETE SET NULL,
    replied_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (order_id, product_id)
);
CREATE INDEX reviews_product_idx ON reviews (product_id, created_at DESC);

-- A category tree for local produce, food, crafts and experiences.
INSERT INTO categories (slug, parent_slug, name, is_experience, position) VALUES
 ('produce', NULL, '{"vi": "Nông sản", "en": "Produce"}', false, 10),
 ('fresh-fruit', 'produce', '{"vi": "Trái cây tươi", "en": "Fresh fruit"}', false, 11),
 ('vegetables', 'produce', '{"vi": "Rau củ, gia vị tươi", "en": "Vegetables and fresh spices"}', false, 12),
 ('meat', 'produce', '{"vi": "Thịt", "en": "Meat"}', false, 13),
 ('seafood', NULL, '{"vi": "Hải sản", "en": "Seafood"}', false, 20),
 ('seafood-fresh', 'seafood', '{"vi": "Hải sản tươi", "en": "Fresh seafood"}', false, 21),
 ('seafood-dried', 'seafood', '{"vi": "Hải sản khô", "en": "Dried seafood"}', false, 22),
 ('food', NULL, '{"vi": "Đặc sản chế biến", "en": "Local food"}', false, 30),
 ('processed-food', 'food', '{"vi": "Thực phẩm chế biến", "en": "Processed food"}', false, 31),
 ('condiments', 'food', '{"vi": "Gia vị, nước chấm", "en": "Condiments and sauces"}', false, 32),
 ('beverages', 'food', '{"vi": "Đồ uống", "en": "Beverages"}', false, 33),
 ('street-food', 'food', '{"vi": "Món ăn địa phương", "en": "Local dishes"}', false, 34),
 ('crafts', NULL, '{"vi": "Thủ công mỹ nghệ", "en": "Crafts"}', false, 40),
 ('pottery', 'crafts', '{"vi": "Gốm", "en": "Pottery"}', false, 41),
 ('textiles', 'crafts', '{"vi": "Thổ cẩm, dệt may", "en": "Textiles and brocade"}', false, 42),
 ('experiences', NULL, '{"vi": "Trải nghiệm", "en": "Experiences"}', true, 50),
 ('tours', 'experiences', '{"vi": "Tour", "en": "Tours"}', true, 51),
 ('classes', 'experiences', '{"vi": "Lớp học, workshop", "en": "Classes and workshops"}', true, 52),
 ('tickets', 'experiences', '{"vi": "Vé tham quan", "en": "Tickets"}', true, 53);
