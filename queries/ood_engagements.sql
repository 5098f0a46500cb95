-- ood_engagements: exactly the data contract's columns (docs/data-contract.md), cast to the contract's
-- types so raw tables that store strings read the same. Values enter only as execution
-- parameters: the account list (the marked placeholder becomes one placeholder per account)
-- and, for month-partitioned tables, the first and last partition month. The account column
-- comes first so a fleet's result can be split by account.
SELECT
    aws_account_id,
    CAST(engagement_id AS varchar) AS engagement_id,
    CAST(offering AS varchar) AS offering,
    CAST(blocks AS bigint) AS blocks,
    CAST(basis AS varchar) AS basis,
    CAST(approved_at AS date) AS approved_at,
    CAST(start_override AS date) AS start_override,
    CAST(ended_at AS date) AS ended_at,
    CAST(requested_blocks AS bigint) AS requested_blocks,
    CAST(modifies AS varchar) AS modifies
FROM ood_engagements
WHERE aws_account_id IN (/* accounts */ ?)
