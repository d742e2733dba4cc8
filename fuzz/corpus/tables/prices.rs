pub async fn price(pool: &PgPool, id: i64) -> Result<i64, sqlx::Error> {
    let c = '"';
    sqlx::query_scalar(r#"SELECT amount FROM "prices" WHERE id = $1"#)
        .bind(id)
        .fetch_one(pool)
        .await
}
