package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ucmpush/ucmpush/domain"
)

// CreateCustomer adds a customer, under reseller when it is not empty (the reseller is
// created on first use). It fails with a [ConflictError] when the name is taken.
func (s *Store) CreateCustomer(ctx context.Context, name, reseller string) (domain.Customer, error) {
	c := domain.Customer{Name: name, Reseller: reseller}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var resellerID *int64
		if reseller != "" {
			var id int64
			err := tx.QueryRow(ctx, `INSERT INTO resellers (name) VALUES ($1)
				ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id`, reseller).Scan(&id)
			if err != nil {
				return fmt.Errorf("create reseller %q: %w", reseller, err)
			}
			resellerID = &id
		}
		err := tx.QueryRow(ctx, `INSERT INTO customers (name, reseller_id) VALUES ($1, $2)
			RETURNING id`, name, resellerID).Scan(&c.ID)
		return uniqueViolation(err, "customer", name)
	})
	return c, err
}

// Customer returns the customer called name, or a [NotFoundError].
func (s *Store) Customer(ctx context.Context, name string) (domain.Customer, error) {
	var c domain.Customer
	err := s.pool.QueryRow(ctx, `SELECT c.id, c.name, coalesce(r.name, '')
		FROM customers c LEFT JOIN resellers r ON r.id = c.reseller_id
		WHERE c.name = $1`, name).Scan(&c.ID, &c.Name, &c.Reseller)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, notFound("customer", name,
			"list customers with `ucmpush customer list` or add one with `ucmpush customer add`")
	}
	return c, err
}

// Customers returns every customer, ordered by name.
func (s *Store) Customers(ctx context.Context) ([]domain.Customer, error) {
	rows, _ := s.pool.Query(ctx, `SELECT c.id, c.name, coalesce(r.name, '')
		FROM customers c LEFT JOIN resellers r ON r.id = c.reseller_id ORDER BY c.name`)
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.Customer, error) {
		var c domain.Customer
		err := row.Scan(&c.ID, &c.Name, &c.Reseller)
		return c, err
	})
}

// CreateCluster adds a UCM cluster. It fails with a [ConflictError] when the name is taken.
func (s *Store) CreateCluster(ctx context.Context, c domain.Cluster) (domain.Cluster, error) {
	if c.MaxInFlight == 0 {
		c.MaxInFlight = 4
	}
	err := s.pool.QueryRow(ctx, `INSERT INTO clusters
		(name, axl_url, axl_version, username, password_ref, ca_file, insecure_skip_verify,
		max_in_flight, max_requests_per_second)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		c.Name, c.AXLURL, c.AXLVersion, c.Username, c.PasswordRef, c.CAFile, c.InsecureSkipVerify,
		c.MaxInFlight, c.MaxRequestsPerSecond,
	).Scan(&c.ID)
	return c, uniqueViolation(err, "UCM cluster", c.Name)
}

const clusterColumns = `id, name, axl_url, axl_version, username, password_ref, ca_file,
	insecure_skip_verify, max_in_flight, max_requests_per_second`

func scanCluster(row pgx.Row) (domain.Cluster, error) {
	var c domain.Cluster
	err := row.Scan(&c.ID, &c.Name, &c.AXLURL, &c.AXLVersion, &c.Username, &c.PasswordRef,
		&c.CAFile, &c.InsecureSkipVerify, &c.MaxInFlight, &c.MaxRequestsPerSecond)
	return c, err
}

// Cluster returns the UCM cluster called name, or a [NotFoundError].
func (s *Store) Cluster(ctx context.Context, name string) (domain.Cluster, error) {
	c, err := scanCluster(s.pool.QueryRow(ctx,
		"SELECT "+clusterColumns+" FROM clusters WHERE name = $1", name))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, notFound("UCM cluster", name,
			"list clusters with `ucmpush cluster list` or add one with `ucmpush cluster add`")
	}
	return c, err
}

// ClusterByID returns the UCM cluster with the given ID, or a [NotFoundError].
func (s *Store) ClusterByID(ctx context.Context, id int64) (domain.Cluster, error) {
	c, err := scanCluster(s.pool.QueryRow(ctx,
		"SELECT "+clusterColumns+" FROM clusters WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, notFound("UCM cluster", fmt.Sprint(id), "it was deleted after the push started")
	}
	return c, err
}

// Clusters returns every UCM cluster, ordered by name.
func (s *Store) Clusters(ctx context.Context) ([]domain.Cluster, error) {
	rows, _ := s.pool.Query(ctx, "SELECT "+clusterColumns+" FROM clusters ORDER BY name")
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.Cluster, error) {
		return scanCluster(row)
	})
}

// CreateNDL adds a network device list naming cluster, or no cluster when it is empty.
func (s *Store) CreateNDL(ctx context.Context, name, cluster string) (domain.NDL, error) {
	n := domain.NDL{Name: name, Cluster: cluster}
	clusterID, err := s.optionalClusterID(ctx, cluster)
	if err != nil {
		return n, err
	}
	err = s.pool.QueryRow(ctx, "INSERT INTO ndls (name, cluster_id) VALUES ($1, $2) RETURNING id",
		name, clusterID).Scan(&n.ID)
	return n, uniqueViolation(err, "NDL", name)
}

func (s *Store) optionalClusterID(ctx context.Context, cluster string) (*int64, error) {
	if cluster == "" {
		return nil, nil
	}
	c, err := s.Cluster(ctx, cluster)
	if err != nil {
		return nil, err
	}
	return &c.ID, nil
}

// NDLs returns every network device list, ordered by name.
func (s *Store) NDLs(ctx context.Context) ([]domain.NDL, error) {
	rows, _ := s.pool.Query(ctx, `SELECT n.id, n.name, coalesce(c.name, '')
		FROM ndls n LEFT JOIN clusters c ON c.id = n.cluster_id ORDER BY n.name`)
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.NDL, error) {
		var n domain.NDL
		err := row.Scan(&n.ID, &n.Name, &n.Cluster)
		return n, err
	})
}

func (s *Store) ndlID(ctx context.Context, name string) (*int64, error) {
	if name == "" {
		return nil, nil
	}
	var id int64
	err := s.pool.QueryRow(ctx, "SELECT id FROM ndls WHERE name = $1", name).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("NDL", name,
			"list NDLs with `ucmpush ndl list` or add one with `ucmpush ndl add`")
	}
	return &id, err
}

// CreateSite adds a site to its customer, with the NDL named ndl (none when empty) and the
// auto push switch as given.
func (s *Store) CreateSite(ctx context.Context, ref domain.SiteRef, ndl string, autoPush bool) (domain.Site, error) {
	customer, err := s.Customer(ctx, ref.Customer)
	if err != nil {
		return domain.Site{}, err
	}
	ndlID, err := s.ndlID(ctx, ndl)
	if err != nil {
		return domain.Site{}, err
	}

	var id int64
	err = s.pool.QueryRow(ctx, `INSERT INTO sites (customer_id, name, auto_push, ndl_id)
		VALUES ($1, $2, $3, $4) RETURNING id`, customer.ID, ref.Site, autoPush, ndlID).Scan(&id)
	if err != nil {
		return domain.Site{}, uniqueViolation(err, "site", ref.String())
	}
	return s.SiteByID(ctx, id)
}

const siteQuery = `SELECT s.id, s.customer_id, c.name, s.name, s.auto_push,
	coalesce(n.name, ''), coalesce(cl.id, 0), coalesce(cl.name, ''), s.confirm_above
	FROM sites s
	JOIN customers c ON c.id = s.customer_id
	LEFT JOIN ndls n ON n.id = s.ndl_id
	LEFT JOIN clusters cl ON cl.id = n.cluster_id`

func scanSite(row pgx.Row) (domain.Site, error) {
	var s domain.Site
	err := row.Scan(&s.ID, &s.CustomerID, &s.Customer, &s.Name, &s.AutoPush, &s.NDL,
		&s.ClusterID, &s.Cluster, &s.ConfirmAbove)
	return s, err
}

// Site returns the site at ref, or a [NotFoundError].
func (s *Store) Site(ctx context.Context, ref domain.SiteRef) (domain.Site, error) {
	site, err := scanSite(s.pool.QueryRow(ctx, siteQuery+" WHERE c.name = $1 AND s.name = $2",
		ref.Customer, ref.Site))
	if errors.Is(err, pgx.ErrNoRows) {
		return site, notFound("site", ref.String(),
			"list sites with `ucmpush site list` or add one with `ucmpush site add`")
	}
	return site, err
}

// SiteByID returns the site with the given ID, or a [NotFoundError].
func (s *Store) SiteByID(ctx context.Context, id int64) (domain.Site, error) {
	site, err := scanSite(s.pool.QueryRow(ctx, siteQuery+" WHERE s.id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return site, notFound("site", fmt.Sprint(id), "it was deleted")
	}
	return site, err
}

// Sites returns the sites of the customer called customer, or of every customer when it is
// empty, ordered by customer and name.
func (s *Store) Sites(ctx context.Context, customer string) ([]domain.Site, error) {
	rows, _ := s.pool.Query(ctx, siteQuery+` WHERE $1 = '' OR c.name = $1
		ORDER BY c.name, s.name`, customer)
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.Site, error) {
		return scanSite(row)
	})
}

// SetSiteAutoPush turns the site's auto push switch on or off.
func (s *Store) SetSiteAutoPush(ctx context.Context, ref domain.SiteRef, on bool) (domain.Site, error) {
	site, err := s.Site(ctx, ref)
	if err != nil {
		return site, err
	}
	if _, err := s.pool.Exec(ctx, "UPDATE sites SET auto_push = $2 WHERE id = $1", site.ID, on); err != nil {
		return site, fmt.Errorf("set auto push of site %s: %w", ref, err)
	}
	return s.SiteByID(ctx, site.ID)
}

// SetSiteNDL links the site to the NDL called ndl, or unlinks it when ndl is empty.
func (s *Store) SetSiteNDL(ctx context.Context, ref domain.SiteRef, ndl string) (domain.Site, error) {
	site, err := s.Site(ctx, ref)
	if err != nil {
		return site, err
	}
	ndlID, err := s.ndlID(ctx, ndl)
	if err != nil {
		return site, err
	}
	if _, err := s.pool.Exec(ctx, "UPDATE sites SET ndl_id = $2 WHERE id = $1", site.ID, ndlID); err != nil {
		return site, fmt.Errorf("set NDL of site %s: %w", ref, err)
	}
	return s.SiteByID(ctx, site.ID)
}

// CreateDirectory adds a directory of a customer. d.Customer names the customer.
func (s *Store) CreateDirectory(ctx context.Context, d domain.Directory) (domain.Directory, error) {
	customer, err := s.Customer(ctx, d.Customer)
	if err != nil {
		return d, err
	}
	d.CustomerID = customer.ID
	mapping, err := json.Marshal(d.Mapping)
	if err != nil {
		return d, fmt.Errorf("encode attribute mapping: %w", err)
	}

	err = s.pool.QueryRow(ctx, `INSERT INTO directories (name, customer_id, url, start_tls, ca_file,
		insecure_skip_verify, bind_dn, bind_password_ref, base_dn, filter, page_size, mapping,
		removal_guard_percent)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		d.Name, d.CustomerID, d.URL, d.StartTLS, d.CAFile, d.InsecureSkipVerify, d.BindDN,
		d.BindPasswordRef, d.BaseDN, d.Filter, d.PageSize, mapping, d.RemovalGuardPercent,
	).Scan(&d.ID)
	return d, uniqueViolation(err, "directory", d.Name)
}

const directoryQuery = `SELECT d.id, d.name, d.customer_id, c.name, d.url, d.start_tls, d.ca_file,
	d.insecure_skip_verify, d.bind_dn, d.bind_password_ref, d.base_dn, d.filter, d.page_size,
	d.mapping, d.removal_guard_percent, d.last_good_count
	FROM directories d JOIN customers c ON c.id = d.customer_id`

func scanDirectory(row pgx.Row) (domain.Directory, error) {
	var d domain.Directory
	var mapping []byte
	err := row.Scan(&d.ID, &d.Name, &d.CustomerID, &d.Customer, &d.URL, &d.StartTLS, &d.CAFile,
		&d.InsecureSkipVerify, &d.BindDN, &d.BindPasswordRef, &d.BaseDN, &d.Filter, &d.PageSize,
		&mapping, &d.RemovalGuardPercent, &d.LastGoodCount)
	if err != nil {
		return d, err
	}
	if err := json.Unmarshal(mapping, &d.Mapping); err != nil {
		return d, fmt.Errorf("decode attribute mapping of directory %q: %w", d.Name, err)
	}
	return d, nil
}

// Directory returns the directory called name, or a [NotFoundError].
func (s *Store) Directory(ctx context.Context, name string) (domain.Directory, error) {
	d, err := scanDirectory(s.pool.QueryRow(ctx, directoryQuery+" WHERE d.name = $1", name))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, notFound("directory", name,
			"list directories with `ucmpush directory list` or add one with `ucmpush directory add`")
	}
	return d, err
}

// DirectoryByID returns the directory with the given ID, or a [NotFoundError].
func (s *Store) DirectoryByID(ctx context.Context, id int64) (domain.Directory, error) {
	d, err := scanDirectory(s.pool.QueryRow(ctx, directoryQuery+" WHERE d.id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, notFound("directory", fmt.Sprint(id), "it was deleted")
	}
	return d, err
}

// Directories returns every directory, ordered by name.
func (s *Store) Directories(ctx context.Context) ([]domain.Directory, error) {
	rows, _ := s.pool.Query(ctx, directoryQuery+" ORDER BY d.name")
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.Directory, error) {
		return scanDirectory(row)
	})
}

// SitesOfCustomer returns the sites of the customer with the given ID, ordered by name.
func (s *Store) SitesOfCustomer(ctx context.Context, customerID int64) ([]domain.Site, error) {
	rows, _ := s.pool.Query(ctx, siteQuery+" WHERE s.customer_id = $1 ORDER BY s.name", customerID)
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.Site, error) {
		return scanSite(row)
	})
}

// CountActiveUsers counts the active users of the site with the given ID.
func (s *Store) CountActiveUsers(ctx context.Context, siteID int64) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, "SELECT count(*) FROM users WHERE site_id = $1 AND status = 'active'",
		siteID).Scan(&n)
	return n, err
}

// SetNDLCluster makes the NDL name the cluster called cluster, or no cluster when it is empty.
func (s *Store) SetNDLCluster(ctx context.Context, ndl, cluster string) (domain.NDL, error) {
	id, err := s.ndlID(ctx, ndl)
	if err != nil {
		return domain.NDL{}, err
	}
	if id == nil {
		return domain.NDL{}, notFound("NDL", ndl, "name the NDL to change")
	}
	clusterID, err := s.optionalClusterID(ctx, cluster)
	if err != nil {
		return domain.NDL{}, err
	}
	if _, err := s.pool.Exec(ctx, "UPDATE ndls SET cluster_id = $2 WHERE id = $1", *id, clusterID); err != nil {
		return domain.NDL{}, fmt.Errorf("set cluster of NDL %s: %w", ndl, err)
	}
	return domain.NDL{ID: *id, Name: ndl, Cluster: cluster}, nil
}

// NDL returns the network device list called name, or a [NotFoundError].
func (s *Store) NDL(ctx context.Context, name string) (domain.NDL, error) {
	var n domain.NDL
	err := s.pool.QueryRow(ctx, `SELECT n.id, n.name, coalesce(c.name, '')
		FROM ndls n LEFT JOIN clusters c ON c.id = n.cluster_id WHERE n.name = $1`, name,
	).Scan(&n.ID, &n.Name, &n.Cluster)
	if errors.Is(err, pgx.ErrNoRows) {
		return n, notFound("NDL", name, "list NDLs with `ucmpush ndl list` or add one with `ucmpush ndl add`")
	}
	return n, err
}

// UpdateCluster stores every setting of c, found by its ID.
func (s *Store) UpdateCluster(ctx context.Context, c domain.Cluster) error {
	_, err := s.pool.Exec(ctx, `UPDATE clusters SET axl_url = $2, axl_version = $3, username = $4,
		password_ref = $5, ca_file = $6, insecure_skip_verify = $7, max_in_flight = $8,
		max_requests_per_second = $9 WHERE id = $1`,
		c.ID, c.AXLURL, c.AXLVersion, c.Username, c.PasswordRef, c.CAFile, c.InsecureSkipVerify,
		c.MaxInFlight, c.MaxRequestsPerSecond)
	if err != nil {
		return fmt.Errorf("update UCM cluster %s: %w", c.Name, err)
	}
	// Slots above a lowered limit are never leased again; drop them.
	_, err = s.pool.Exec(ctx, "DELETE FROM cluster_slots WHERE cluster_id = $1 AND slot >= $2 AND holder IS NULL",
		c.ID, c.MaxInFlight)
	return err
}

// UpdateDirectory stores every setting of d but its customer, found by its ID.
func (s *Store) UpdateDirectory(ctx context.Context, d domain.Directory) error {
	mapping, err := json.Marshal(d.Mapping)
	if err != nil {
		return fmt.Errorf("encode attribute mapping: %w", err)
	}
	_, err = s.pool.Exec(ctx, `UPDATE directories SET url = $2, start_tls = $3, ca_file = $4,
		insecure_skip_verify = $5, bind_dn = $6, bind_password_ref = $7, base_dn = $8, filter = $9,
		page_size = $10, mapping = $11, removal_guard_percent = $12 WHERE id = $1`,
		d.ID, d.URL, d.StartTLS, d.CAFile, d.InsecureSkipVerify, d.BindDN, d.BindPasswordRef,
		d.BaseDN, d.Filter, d.PageSize, mapping, d.RemovalGuardPercent)
	if err != nil {
		return fmt.Errorf("update directory %s: %w", d.Name, err)
	}
	return nil
}

// SetSiteConfirmAbove sets the largest push of the site that starts without confirmation.
func (s *Store) SetSiteConfirmAbove(ctx context.Context, ref domain.SiteRef, n int) (domain.Site, error) {
	site, err := s.Site(ctx, ref)
	if err != nil {
		return site, err
	}
	if _, err := s.pool.Exec(ctx, "UPDATE sites SET confirm_above = $2 WHERE id = $1", site.ID, n); err != nil {
		return site, fmt.Errorf("set the confirmation guard of site %s: %w", ref, err)
	}
	return s.SiteByID(ctx, site.ID)
}
