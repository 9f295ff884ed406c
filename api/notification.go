package api

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/custody"
)

// NotificationView is a duty to inform, and whether it is overdue now.
type NotificationView struct {
	custody.Notification
	Overdue bool `json:"overdue" doc:"Past its deadline and not done, at the time of the request"`
}

func notificationOf(n *custody.Notification, now time.Time) NotificationView {
	return NotificationView{Notification: *n, Overdue: n.Overdue(now)}
}

type listNotificationsInput struct {
	Overdue string `query:"overdue" enum:"true,false" doc:"Only overdue (true) or not overdue (false) notifications"`
	Done    string `query:"done" enum:"true,false" doc:"Only completed (true) or open (false) notifications"`
	Person  string `query:"person" doc:"Only the notifications about this person (id or registration number)"`
	Kind    string `query:"kind" enum:"family_transfer,capture_card,parents_juvenile,next_of_kin_death,family_illness" doc:"Only notifications of this kind"`
	ListQuery
}

type notificationsOutput struct {
	Body struct {
		Notifications []NotificationView `json:"notifications" doc:"By id"`
		Paging
	}
}

func (s *server) listNotifications(ctx context.Context, in *listNotificationsInput) (*notificationsOutput, error) {
	person, err := s.optionalPersonAt(ctx, "query.person", in.Person)
	if err != nil {
		return nil, err
	}
	ids, err := in.uuids("notification")
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	ns, err := readDocs(ctx, s, custody.NotificationDoc, func(n *custody.Notification) bool {
		return (ids == nil || ids[n.ID]) && (in.Overdue == "" || (in.Overdue == "true") == n.Overdue(now)) &&
			(in.Done == "" || (in.Done == "true") == (n.Done != nil)) &&
			(person == uuid.Nil || n.Person == person) &&
			(in.Kind == "" || n.Kind == custody.NotificationKind(in.Kind))
	})
	if err != nil {
		return nil, err
	}
	v := s.viewer(ctx)
	if ns, err = filter(ctx, v, ns, func(n *custody.Notification) (access.Concerns, error) { return v.notificationConcerns(ctx, n) }); err != nil {
		return nil, err
	}
	out := &notificationsOutput{}
	if ns, out.Body.Next, err = pageByID(ns, func(n *custody.Notification) uuid.UUID { return n.ID }, in.PageQuery); err != nil {
		return nil, err
	}
	out.Body.Notifications = make([]NotificationView, len(ns))
	for i := range ns {
		out.Body.Notifications[i] = notificationOf(&ns[i], now)
	}
	return out, nil
}

type notificationOutput struct{ Body NotificationView }

func (s *server) getNotification(ctx context.Context, in *idInput) (*notificationOutput, error) {
	id, err := parseID("path.id", "notification", in.ID)
	if err != nil {
		return nil, err
	}
	n, err := readDoc[custody.Notification](ctx, s, custody.NotificationDoc, "path.id", id)
	if err != nil {
		return nil, err
	}
	return &notificationOutput{Body: notificationOf(n, s.cfg.Now())}, nil
}

type completeNotificationInput struct {
	ID   string `path:"id" doc:"The notification's id"`
	Body struct {
		Meta
		Outcome string `json:"outcome" required:"true" doc:"What was done and with what result (family reached by phone, card delivered…)"`
	}
}

func (s *server) completeNotification(ctx context.Context, in *completeNotificationInput) (*receiptOutput, error) {
	id, err := parseID("path.id", "notification", in.ID)
	if err != nil {
		return nil, err
	}
	m, err := s.meta(ctx, in.Body.Meta)
	if err != nil {
		return nil, err
	}
	return s.submit(ctx, custody.CompleteNotification{Meta: m, Notification: id, Outcome: in.Body.Outcome}, where{"": "body", "notification": "path.id"})
}
