//! The database schema, shared by both backends (see `migrations/sqlite` and
//! `migrations/postgres`, which must stay equivalent).

diesel::table! {
    groups (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        contact -> Text,
        variables -> Text,
        revision -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    sites (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        municipality_code -> Nullable<Text>,
        owms_uri -> Nullable<Text>,
        security_contact -> Nullable<Text>,
        contact -> Text,
        variables -> Text,
        popular -> Text,
        theme_tokens -> Nullable<Text>,
        accessibility -> Nullable<Text>,
        services -> Text,
        revision -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    site_hosts (host) {
        host -> Text,
        site_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    site_groups (site_id, group_id) {
        site_id -> BigInt,
        group_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    products (id) {
        id -> BigInt,
        slug -> Text,
        title -> Text,
        summary -> Text,
        audience -> Text,
        upl -> Nullable<Text>,
        themes -> Text,
        life_events -> Text,
        keywords -> Text,
        popular -> Bool,
        variables -> Text,
        sections -> Text,
        status -> Text,
        publish_at -> Nullable<BigInt>,
        unpublish_at -> Nullable<BigInt>,
        revision -> BigInt,
        updated_at -> BigInt,
        review_date -> Nullable<Text>,
        content_owner -> Nullable<Text>,
    }
}

diesel::table! {
    overrides (id) {
        id -> BigInt,
        product_id -> BigInt,
        group_id -> Nullable<BigInt>,
        site_id -> Nullable<BigInt>,
        based_on -> BigInt,
        enabled -> Nullable<Bool>,
        title -> Nullable<Text>,
        summary -> Nullable<Text>,
        apply_url -> Nullable<Text>,
        keywords -> Text,
        contact -> Nullable<Text>,
        variables -> Text,
        sections -> Text,
        revision -> BigInt,
        updated_at -> BigInt,
        reason -> Nullable<Text>,
        refer_to -> Nullable<Text>,
    }
}

diesel::table! {
    pages (id) {
        id -> BigInt,
        group_id -> Nullable<BigInt>,
        site_id -> Nullable<BigInt>,
        path -> Text,
        title -> Text,
        summary -> Text,
        body -> Text,
        status -> Text,
        weight -> Integer,
        publish_at -> Nullable<BigInt>,
        unpublish_at -> Nullable<BigInt>,
        revision -> BigInt,
        updated_at -> BigInt,
        review_date -> Nullable<Text>,
        content_owner -> Nullable<Text>,
    }
}

diesel::table! {
    news (id) {
        id -> BigInt,
        group_id -> Nullable<BigInt>,
        site_id -> Nullable<BigInt>,
        slug -> Text,
        date -> Text,
        title -> Text,
        summary -> Text,
        body -> Text,
        status -> Text,
        publish_at -> Nullable<BigInt>,
        unpublish_at -> Nullable<BigInt>,
        revision -> BigInt,
        updated_at -> BigInt,
        review_date -> Nullable<Text>,
        content_owner -> Nullable<Text>,
        image -> Nullable<Text>,
    }
}

diesel::table! {
    alerts (id) {
        id -> BigInt,
        group_id -> Nullable<BigInt>,
        site_id -> Nullable<BigInt>,
        slug -> Text,
        title -> Text,
        summary -> Text,
        body -> Text,
        severity -> Text,
        starts -> Nullable<BigInt>,
        ends -> Nullable<BigInt>,
        status -> Text,
        revision -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    revisions (id) {
        id -> BigInt,
        kind -> Text,
        item_key -> Text,
        revision -> BigInt,
        data -> Text,
        author -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::table! {
    changes (id) {
        id -> BigInt,
        at -> BigInt,
        kind -> Text,
        item_key -> Text,
        group_id -> Nullable<BigInt>,
        site_id -> Nullable<BigInt>,
    }
}

diesel::joinable!(site_hosts -> sites (site_id));
diesel::joinable!(site_groups -> sites (site_id));
diesel::joinable!(site_groups -> groups (group_id));
diesel::joinable!(overrides -> products (product_id));
diesel::joinable!(pages -> groups (group_id));
diesel::joinable!(pages -> sites (site_id));
diesel::joinable!(news -> groups (group_id));
diesel::joinable!(news -> sites (site_id));
diesel::joinable!(alerts -> groups (group_id));
diesel::joinable!(alerts -> sites (site_id));



diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
        revision -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    search_misses (site_id, query) {
        site_id -> BigInt,
        query -> Text,
        count -> BigInt,
        first_at -> BigInt,
        last_at -> BigInt,
    }
}

diesel::table! {
    upl (uri) {
        uri -> Text,
        name -> Text,
        municipal -> Bool,
        citizens -> Bool,
        businesses -> Bool,
        sdg -> Text,
        legal -> Text,
    }
}

diesel::table! {
    redirects (site_id, from_path) {
        site_id -> BigInt,
        from_path -> Text,
        to_path -> Nullable<Text>,
        updated_at -> BigInt,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        password_hash -> Nullable<Text>,
        disabled -> Bool,
        created_at -> BigInt,
    }
}

diesel::table! {
    grants (user_id, role, scope) {
        user_id -> BigInt,
        role -> Text,
        scope -> Text,
    }
}

diesel::table! {
    sessions (id_hash) {
        id_hash -> Text,
        user_id -> BigInt,
        csrf_token -> Text,
        created_at -> BigInt,
        last_seen -> BigInt,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        label -> Text,
        created_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
        expires_at -> Nullable<BigInt>,
        last_used_at -> Nullable<BigInt>,
        parent_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    trusted_devices (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        created_at -> BigInt,
        last_used_at -> BigInt,
    }
}

diesel::table! {
    login_failures (id) {
        id -> BigInt,
        key -> Text,
        at -> BigInt,
    }
}

diesel::table! {
    audit (id) {
        id -> BigInt,
        at -> BigInt,
        actor -> Text,
        action -> Text,
        object -> Text,
        result -> Text,
        origin -> Text,
        scope -> Text,
    }
}

diesel::table! {
    media (id) {
        id -> BigInt,
        key -> Text,
        group_id -> Nullable<BigInt>,
        site_id -> Nullable<BigInt>,
        hash -> Text,
        format -> Text,
        width -> Integer,
        height -> Integer,
        bytes -> BigInt,
        name -> Text,
        alt -> Text,
        decorative -> Bool,
        revision -> BigInt,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    media_removals (hash) {
        hash -> Text,
        format -> Text,
        width -> Integer,
        due_at -> BigInt,
    }
}

diesel::table! {
    media_uses (media_key, kind, item_key) {
        media_key -> Text,
        kind -> Text,
        item_key -> Text,
    }
}

diesel::table! {
    translations (id) {
        id -> BigInt,
        product_id -> Nullable<BigInt>,
        override_id -> Nullable<BigInt>,
        page_id -> Nullable<BigInt>,
        news_id -> Nullable<BigInt>,
        group_id -> Nullable<BigInt>,
        site_id -> Nullable<BigInt>,
        lang -> Text,
        title -> Nullable<Text>,
        summary -> Nullable<Text>,
        body -> Text,
        sections -> Text,
        based_on_nl -> BigInt,
        based_on -> Nullable<BigInt>,
        revision -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    feedback (id) {
        id -> BigInt,
        site_id -> BigInt,
        path -> Text,
        lang -> Text,
        useful -> Bool,
        comment -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::table! {
    page_views (site_id, month, path, device, country) {
        site_id -> BigInt,
        month -> Text,
        path -> Text,
        device -> Text,
        country -> Text,
        views -> BigInt,
    }
}

diesel::joinable!(feedback -> sites (site_id));
diesel::joinable!(page_views -> sites (site_id));
diesel::joinable!(grants -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(trusted_devices -> users (user_id));

diesel::table! {
    proposals (id) {
        id -> BigInt,
        scope -> Text,
        kind -> Text,
        target -> Text,
        title -> Text,
        document -> Text,
        based_on -> Nullable<BigInt>,
        author -> Text,
        state -> Text,
        note -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        created_at -> BigInt,
        decided_at -> Nullable<BigInt>,
        release_id -> Nullable<BigInt>,
        previous -> Nullable<Text>,
    }
}

diesel::table! {
    releases (id) {
        id -> BigInt,
        scope -> Text,
        name -> Text,
        state -> Text,
        publish_at -> Nullable<BigInt>,
        created_by -> Text,
        created_at -> BigInt,
        published_by -> Nullable<Text>,
        published_at -> Nullable<BigInt>,
        undone_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    link_checks (url) {
        url -> Text,
        state -> Text,
        status -> Nullable<Integer>,
        final_url -> Nullable<Text>,
        message -> Text,
        checked_at -> BigInt,
    }
}

diesel::table! {
    link_uses (id) {
        id -> BigInt,
        url -> Text,
        scope -> Text,
        kind -> Text,
        item -> Text,
        title -> Text,
        field -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    groups, sites, site_hosts, site_groups, products, overrides, pages, news, alerts, revisions,
    changes, settings, search_misses, upl, redirects, users, grants, sessions, api_tokens,
    login_failures, audit, media, media_uses, trusted_devices, media_removals, translations,
    feedback, page_views, proposals, link_checks, link_uses, releases,
);
