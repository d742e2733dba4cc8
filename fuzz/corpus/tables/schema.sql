-- owned by order-service
CREATE TABLE orders (
    id UUID PRIMARY KEY,
    total BIGINT NOT NULL
);
CREATE INDEX orders_total ON orders (total);
WITH recent AS (SELECT * FROM orders) DELETE FROM audit_log USING recent;
