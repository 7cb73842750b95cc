//! Page-numbered listings: one request shape and one answer shape for every list.

use crate::error::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize};

/// Largest page a list answers (RULES §3: at most 50).
pub const MAX_PAGE_SIZE: u32 = 50;

/// Sort direction of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Smallest first.
    Asc,
    /// Largest first (the default of `list_purchase_orders`: newest first).
    #[default]
    Desc,
}

/// A list page: `page` counts from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based page number.
    pub page: u32,
    /// Items per page, 1 to 50.
    pub page_size: u32,
}

impl PageRequest {
    /// Checks and defaults (`page` 1, `page_size` 50).
    pub fn new(page: Option<u32>, page_size: Option<u32>) -> Result<Self> {
        let page = page.unwrap_or(1);
        let page_size = page_size.unwrap_or(MAX_PAGE_SIZE);
        if page == 0 {
            return Err(Error::field("page", "pages count from 1"));
        }
        if page_size == 0 || page_size > MAX_PAGE_SIZE {
            return Err(Error::field(
                "page_size",
                format!("between 1 and {MAX_PAGE_SIZE}"),
            ));
        }
        Ok(PageRequest { page, page_size })
    }

    /// Index of the first item of this page. Computed in 64 bits and
    /// saturated: on wasm32 `usize` is 32 bits, and a far page (say page
    /// 2^31 + 1 of 2) must answer an empty page, not wrap round to the first.
    pub fn offset(&self) -> usize {
        let first = u64::from(self.page - 1) * u64::from(self.page_size);
        usize::try_from(first).unwrap_or(usize::MAX)
    }

    /// Cuts one page out of a full, sorted list.
    pub fn slice<T>(&self, all: Vec<T>) -> Paged<T> {
        let total = all.len();
        let items: Vec<T> = all
            .into_iter()
            .skip(self.offset())
            .take(self.page_size as usize)
            .collect();
        self.answer(items, total)
    }

    /// Wraps one page of items given the total count.
    pub fn answer<T>(&self, items: Vec<T>, total: usize) -> Paged<T> {
        let page_count = total.div_ceil(self.page_size as usize) as u32;
        Paged {
            items,
            total_count: total as u64,
            page: self.page,
            page_size: self.page_size,
            page_count,
            has_more: self.page < page_count,
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paged<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// Items in the whole list.
    pub total_count: u64,
    /// This page (from 1).
    pub page: u32,
    /// Items per page.
    pub page_size: u32,
    /// Number of pages.
    pub page_count: u32,
    /// True when a later page exists.
    pub has_more: bool,
}

/// For patch fields that can be cleared: absent = keep, `null` = clear, a value = set.
/// Use with `#[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]`.
pub fn nullable<'de, D, T>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// For patch fields that cannot be cleared: absent = keep, a value = set, and
/// `null` is refused (`invalid_field`, "invalid type: null, expected ...")
/// rather than read as "keep", which a client sending it to clear the field
/// would not expect. Use with `#[serde(default, deserialize_with = "present")]`.
pub fn present<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_is_capped_at_50() {
        assert!(PageRequest::new(None, Some(50)).is_ok());
        assert_eq!(
            PageRequest::new(None, Some(51)).unwrap_err().code(),
            "invalid_field"
        );
        assert_eq!(
            PageRequest::new(Some(0), None).unwrap_err().code(),
            "invalid_field"
        );
    }

    #[test]
    fn answer_counts_pages() {
        let p = PageRequest::new(Some(2), Some(25)).unwrap();
        let a = p.slice((0..60).collect::<Vec<_>>());
        assert_eq!(a.items, (25..50).collect::<Vec<_>>());
        assert_eq!((a.total_count, a.page_count, a.has_more), (60, 3, true));
        let last = PageRequest::new(Some(3), Some(25))
            .unwrap()
            .slice((0..60).collect::<Vec<_>>());
        assert_eq!((last.items.len(), last.has_more), (10, false));
    }

    #[test]
    fn a_far_page_is_empty_however_wide_usize_is() {
        let far = PageRequest::new(Some(u32::MAX), Some(MAX_PAGE_SIZE)).unwrap();
        let expected = u64::from(u32::MAX - 1) * u64::from(MAX_PAGE_SIZE);
        assert_eq!(far.offset() as u64, expected.min(usize::MAX as u64));
        let a = far.slice((0..60).collect::<Vec<_>>());
        assert!(a.items.is_empty());
        assert_eq!((a.total_count, a.page_count, a.has_more), (60, 2, false));
    }
}
