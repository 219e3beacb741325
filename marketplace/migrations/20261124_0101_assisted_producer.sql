-- The producer an agent registers is a person with a name and phone of their own (not only the shop's).
ALTER TABLE merchant_agents ADD COLUMN producer_name text NOT NULL DEFAULT '';
ALTER TABLE merchant_agents ADD COLUMN producer_phone text NOT NULL DEFAULT '';
