//! Reading sales documents.

use super::{each_document, load, DocType, SalesDocument};
use crate::auth::Actor;
use crate::catalog::ById;
use crate::error::Result;
use crate::paging::{PageRequest, Paged};
use crate::tx::Tx;
use serde::{Deserialize, Serialize};

/// `list_sales_documents` arguments. Newest first (by id).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListSalesDocuments {
    /// Only this type (asking for `void` lists the void ones).
    #[serde(default, rename = "type")]
    pub doc_type: Option<DocType>,
    /// Only this client (exact).
    #[serde(default)]
    pub client: Option<String>,
    /// Include void documents (left out unless asked).
    #[serde(default)]
    pub include_void: bool,
    /// Page, from 1.
    #[serde(default)]
    pub page: Option<u32>,
    /// Page size, at most 50.
    #[serde(default)]
    pub page_size: Option<u32>,
}

/// `get_sales_document`.
pub fn get(tx: &mut Tx<'_>, _: &Actor, a: ById) -> Result<SalesDocument> {
    load(tx, a.id)
}

/// `list_sales_documents`.
pub fn list(tx: &mut Tx<'_>, _: &Actor, a: ListSalesDocuments) -> Result<Paged<SalesDocument>> {
    let page = PageRequest::new(a.page, a.page_size)?;
    let mut hits = Vec::new();
    each_document(tx, |d| {
        let type_ok = match a.doc_type {
            Some(t) => d.doc_type == t,
            None => a.include_void || d.doc_type != DocType::Void,
        };
        if type_ok && a.client.as_ref().is_none_or(|c| &d.client == c) {
            hits.push(d.id);
        }
    })?;
    let total = hits.len();
    let mut items = Vec::with_capacity(page.page_size as usize);
    for &id in hits
        .iter()
        .rev()
        .skip(page.offset())
        .take(page.page_size as usize)
    {
        items.push(load(tx, id)?);
    }
    Ok(page.answer(items, total))
}
