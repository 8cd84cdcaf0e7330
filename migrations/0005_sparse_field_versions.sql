-- Sparse field versions (protocol 2): a synced row's hlc column is the version of every field not
-- listed in field_versions. Stores made before this held a field_versions row per field; here each
-- row's hlc becomes the greatest of its field versions (so no field's version and no row version
-- changes) and the entries equal to it are dropped. The running checksum is forgotten: rows that
-- never had field versions (a loaded demo) count from now on, so the next sync recomputes it once.
UPDATE "org_units" SET hlc = (SELECT max(f.hlc) FROM field_versions f WHERE f.table_name = 'org_units' AND f.row_id = "org_units".id)
  WHERE EXISTS (SELECT 1 FROM field_versions f WHERE f.table_name = 'org_units' AND f.row_id = "org_units".id);
--> statement-breakpoint
DELETE FROM field_versions WHERE table_name = 'org_units' AND hlc = (SELECT t.hlc FROM "org_units" t WHERE t.id = field_versions.row_id);
--> statement-breakpoint
UPDATE "users" SET hlc = (SELECT max(f.hlc) FROM field_versions f WHERE f.table_name = 'users' AND f.row_id = "users".id)
  WHERE EXISTS (SELECT 1 FROM field_versions f WHERE f.table_name = 'users' AND f.row_id = "users".id);
--> statement-breakpoint
DELETE FROM field_versions WHERE table_name = 'users' AND hlc = (SELECT t.hlc FROM "users" t WHERE t.id = field_versions.row_id);
--> statement-breakpoint
UPDATE "indicators" SET hlc = (SELECT max(f.hlc) FROM field_versions f WHERE f.table_name = 'indicators' AND f.row_id = "indicators".id)
  WHERE EXISTS (SELECT 1 FROM field_versions f WHERE f.table_name = 'indicators' AND f.row_id = "indicators".id);
--> statement-breakpoint
DELETE FROM field_versions WHERE table_name = 'indicators' AND hlc = (SELECT t.hlc FROM "indicators" t WHERE t.id = field_versions.row_id);
--> statement-breakpoint
UPDATE "targets" SET hlc = (SELECT max(f.hlc) FROM field_versions f WHERE f.table_name = 'targets' AND f.row_id = "targets".id)
  WHERE EXISTS (SELECT 1 FROM field_versions f WHERE f.table_name = 'targets' AND f.row_id = "targets".id);
--> statement-breakpoint
DELETE FROM field_versions WHERE table_name = 'targets' AND hlc = (SELECT t.hlc FROM "targets" t WHERE t.id = field_versions.row_id);
--> statement-breakpoint
UPDATE "actuals" SET hlc = (SELECT max(f.hlc) FROM field_versions f WHERE f.table_name = 'actuals' AND f.row_id = "actuals".id)
  WHERE EXISTS (SELECT 1 FROM field_versions f WHERE f.table_name = 'actuals' AND f.row_id = "actuals".id);
--> statement-breakpoint
DELETE FROM field_versions WHERE table_name = 'actuals' AND hlc = (SELECT t.hlc FROM "actuals" t WHERE t.id = field_versions.row_id);
--> statement-breakpoint
UPDATE "objections" SET hlc = (SELECT max(f.hlc) FROM field_versions f WHERE f.table_name = 'objections' AND f.row_id = "objections".id)
  WHERE EXISTS (SELECT 1 FROM field_versions f WHERE f.table_name = 'objections' AND f.row_id = "objections".id);
--> statement-breakpoint
DELETE FROM field_versions WHERE table_name = 'objections' AND hlc = (SELECT t.hlc FROM "objections" t WHERE t.id = field_versions.row_id);
--> statement-breakpoint
UPDATE "villages" SET hlc = (SELECT max(f.hlc) FROM field_versions f WHERE f.table_name = 'villages' AND f.row_id = "villages".id)
  WHERE EXISTS (SELECT 1 FROM field_versions f WHERE f.table_name = 'villages' AND f.row_id = "villages".id);
--> statement-breakpoint
DELETE FROM field_versions WHERE table_name = 'villages' AND hlc = (SELECT t.hlc FROM "villages" t WHERE t.id = field_versions.row_id);
--> statement-breakpoint
UPDATE "key_customers" SET hlc = (SELECT max(f.hlc) FROM field_versions f WHERE f.table_name = 'key_customers' AND f.row_id = "key_customers".id)
  WHERE EXISTS (SELECT 1 FROM field_versions f WHERE f.table_name = 'key_customers' AND f.row_id = "key_customers".id);
--> statement-breakpoint
DELETE FROM field_versions WHERE table_name = 'key_customers' AND hlc = (SELECT t.hlc FROM "key_customers" t WHERE t.id = field_versions.row_id);
--> statement-breakpoint
UPDATE "work_orders" SET hlc = (SELECT max(f.hlc) FROM field_versions f WHERE f.table_name = 'work_orders' AND f.row_id = "work_orders".id)
  WHERE EXISTS (SELECT 1 FROM field_versions f WHERE f.table_name = 'work_orders' AND f.row_id = "work_orders".id);
--> statement-breakpoint
DELETE FROM field_versions WHERE table_name = 'work_orders' AND hlc = (SELECT t.hlc FROM "work_orders" t WHERE t.id = field_versions.row_id);
--> statement-breakpoint
UPDATE "customer_products" SET hlc = (SELECT max(f.hlc) FROM field_versions f WHERE f.table_name = 'customer_products' AND f.row_id = "customer_products".id)
  WHERE EXISTS (SELECT 1 FROM field_versions f WHERE f.table_name = 'customer_products' AND f.row_id = "customer_products".id);
--> statement-breakpoint
DELETE FROM field_versions WHERE table_name = 'customer_products' AND hlc = (SELECT t.hlc FROM "customer_products" t WHERE t.id = field_versions.row_id);
--> statement-breakpoint
UPDATE "competitor_intel" SET hlc = (SELECT max(f.hlc) FROM field_versions f WHERE f.table_name = 'competitor_intel' AND f.row_id = "competitor_intel".id)
  WHERE EXISTS (SELECT 1 FROM field_versions f WHERE f.table_name = 'competitor_intel' AND f.row_id = "competitor_intel".id);
--> statement-breakpoint
DELETE FROM field_versions WHERE table_name = 'competitor_intel' AND hlc = (SELECT t.hlc FROM "competitor_intel" t WHERE t.id = field_versions.row_id);
--> statement-breakpoint
UPDATE "visits" SET hlc = (SELECT max(f.hlc) FROM field_versions f WHERE f.table_name = 'visits' AND f.row_id = "visits".id)
  WHERE EXISTS (SELECT 1 FROM field_versions f WHERE f.table_name = 'visits' AND f.row_id = "visits".id);
--> statement-breakpoint
DELETE FROM field_versions WHERE table_name = 'visits' AND hlc = (SELECT t.hlc FROM "visits" t WHERE t.id = field_versions.row_id);
--> statement-breakpoint
UPDATE "visit_participants" SET hlc = (SELECT max(f.hlc) FROM field_versions f WHERE f.table_name = 'visit_participants' AND f.row_id = "visit_participants".id)
  WHERE EXISTS (SELECT 1 FROM field_versions f WHERE f.table_name = 'visit_participants' AND f.row_id = "visit_participants".id);
--> statement-breakpoint
DELETE FROM field_versions WHERE table_name = 'visit_participants' AND hlc = (SELECT t.hlc FROM "visit_participants" t WHERE t.id = field_versions.row_id);
--> statement-breakpoint
UPDATE "visit_objections" SET hlc = (SELECT max(f.hlc) FROM field_versions f WHERE f.table_name = 'visit_objections' AND f.row_id = "visit_objections".id)
  WHERE EXISTS (SELECT 1 FROM field_versions f WHERE f.table_name = 'visit_objections' AND f.row_id = "visit_objections".id);
--> statement-breakpoint
DELETE FROM field_versions WHERE table_name = 'visit_objections' AND hlc = (SELECT t.hlc FROM "visit_objections" t WHERE t.id = field_versions.row_id);
--> statement-breakpoint
UPDATE "visit_products" SET hlc = (SELECT max(f.hlc) FROM field_versions f WHERE f.table_name = 'visit_products' AND f.row_id = "visit_products".id)
  WHERE EXISTS (SELECT 1 FROM field_versions f WHERE f.table_name = 'visit_products' AND f.row_id = "visit_products".id);
--> statement-breakpoint
DELETE FROM field_versions WHERE table_name = 'visit_products' AND hlc = (SELECT t.hlc FROM "visit_products" t WHERE t.id = field_versions.row_id);
--> statement-breakpoint
UPDATE "funnel_moves" SET hlc = (SELECT max(f.hlc) FROM field_versions f WHERE f.table_name = 'funnel_moves' AND f.row_id = "funnel_moves".id)
  WHERE EXISTS (SELECT 1 FROM field_versions f WHERE f.table_name = 'funnel_moves' AND f.row_id = "funnel_moves".id);
--> statement-breakpoint
DELETE FROM field_versions WHERE table_name = 'funnel_moves' AND hlc = (SELECT t.hlc FROM "funnel_moves" t WHERE t.id = field_versions.row_id);
--> statement-breakpoint
UPDATE "attachments" SET hlc = (SELECT max(f.hlc) FROM field_versions f WHERE f.table_name = 'attachments' AND f.row_id = "attachments".id)
  WHERE EXISTS (SELECT 1 FROM field_versions f WHERE f.table_name = 'attachments' AND f.row_id = "attachments".id);
--> statement-breakpoint
DELETE FROM field_versions WHERE table_name = 'attachments' AND hlc = (SELECT t.hlc FROM "attachments" t WHERE t.id = field_versions.row_id);
--> statement-breakpoint
DELETE FROM sync_state WHERE key = 'checksum';
