// Package handlers serves orders over HTTP.
package handlers

import (
	"context"
	"database/sql"
	"fmt"
	stdlog "log"
	"net/http"
	"time"
)

var requests int

type Handler struct {
	db     *sql.DB
	client *http.Client
}

func NewHandler(db *sql.DB) *Handler {
	return &Handler{db: db, client: &http.Client{Timeout: 5 * time.Second}}
}

func (h *Handler) Order(ctx context.Context, id string) (string, error) {
	q := "SELECT status FROM orders WHERE id = " + id
	row := h.db.QueryRowContext(ctx, q)
	var status string
	if err := row.Scan(&status); err != nil {
		stdlog.Printf("order %s: %v", id, err)
		return "", fmt.Errorf("order %s: %w", id, err)
	}
	return status, nil
}

func (h *Handler) Ping() error {
	resp, err := http.Get("http://inventory/ping")
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func helper(a, b, c, d, e int) (sum int) {
	sum = a + b + c + d + e
	return
}

func init() {
	requests = 0
}
