package repo

const listOrders = `SELECT id, total FROM orders
WHERE customer_id = $1`

func (r *Repo) Save(o Order) error {
	_, err := r.db.Exec("INSERT INTO orders (id, total) VALUES ($1, $2)", o.ID, o.Total)
	return err
}

// "DELETE FROM commented" is not a query.
var cancel = "UPDATE orders SET status = 'cancelled' " +
	"WHERE id = $1"
