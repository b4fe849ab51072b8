//! A query assembled at run time with `$N` placeholders, which both SQLite
//! and PostgreSQL understand.

use std::fmt::Write;

use sqlx::{
    Any, Arguments, Encode, Type,
    any::{AnyArguments, AnyRow},
    query::QueryAs,
};

use super::StoreError;

pub(super) struct Sql {
    text: String,
    args: AnyArguments,
    count: usize,
    error: Option<sqlx::error::BoxDynError>,
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            args: AnyArguments::default(),
            count: 0,
            error: None,
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    pub fn push_bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'static + Send + Encode<'static, Any> + Type<Any>,
    {
        self.count += 1;
        let _ = write!(self.text, "${}", self.count);
        if let Err(error) = self.args.add(value) {
            self.error.get_or_insert(error);
        }
        self
    }

    pub fn build_query_as<R>(self) -> Result<QueryAs<'static, Any, R, AnyArguments>, StoreError>
    where
        R: for<'r> sqlx::FromRow<'r, AnyRow>,
    {
        if let Some(error) = self.error {
            return Err(StoreError::Database(sqlx::Error::Encode(error)));
        }
        Ok(sqlx::query_as_with(sqlx::AssertSqlSafe(self.text), self.args))
    }
}
