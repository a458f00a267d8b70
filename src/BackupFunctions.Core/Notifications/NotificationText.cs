using System.Globalization;
using System.Text;

namespace BackupFunctions.Core.Notifications;

/// <summary>The e-mail form of a <see cref="BackupNotification"/>: a one-line subject and a plain-text body with the same facts as the webhook.</summary>
public static class NotificationText
{
    public const string SubjectPrefix = "[BackupFunctions] ";

    /// <summary>E.g. <c>[BackupFunctions] Backup failed: blog</c>.</summary>
    public static string Subject(BackupNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return SubjectPrefix + Headline(notification);
    }

    public static string Body(BackupNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var n = notification;
        var text = new StringBuilder();
        void Line(string label, object? value)
        {
            if (value is not null && !(value is string s && s.Length == 0))
                text.Append(CultureInfo.InvariantCulture, $"{label + ":",-11} {value}\n");
        }

        text.Append(Headline(n)).Append("\n\n");
        Line("Event", n.Event);
        Line("Config", n.ConfigName is null ? n.ConfigId : $"{OneLine(n.ConfigName)} ({n.ConfigId})");
        Line("Job", n.JobId);
        Line("Backup", n.BackupId);
        Line("Status", n.Status);
        Line("Trigger", n.Trigger);
        Line("Started", Time(n.StartedAt));
        Line("Completed", Time(n.CompletedAt));
        Line("Duration", n.DurationSeconds is { } d ? $"{d.ToString("0.#", CultureInfo.InvariantCulture)} s" : null);
        Line("Size", n.SizeBytes is { } size ? $"{Size(size)} ({size.ToString(CultureInfo.InvariantCulture)} bytes)" : null);
        Line("Error", n.Error);
        if (n.Alert is { } alert)
        {
            Line("Alert", $"{alert.Type} ({alert.Severity})");
            Line("Message", alert.Message);
        }
        if (n.Warnings is { Count: > 0 } warnings)
        {
            text.Append("Warnings:\n");
            foreach (var warning in warnings)
                text.Append("  - ").Append(warning).Append('\n');
        }
        if (n.Links is { } links && (links.Config ?? links.Job ?? links.Backup ?? links.Alert) is not null)
        {
            text.Append("\nIn the API:\n");
            foreach (var (label, link) in new[] { ("Job", links.Job), ("Backup", links.Backup), ("Alert", links.Alert), ("Config", links.Config) })
            {
                if (link is not null)
                    text.Append(CultureInfo.InvariantCulture, $"  {label + ":",-8} {link}\n");
            }
        }
        text.Append(CultureInfo.InvariantCulture, $"\nEvent id {n.Id}, {Time(n.OccurredAt)}.\n");
        return text.ToString();
    }

    private static string Headline(BackupNotification n)
    {
        var name = OneLine(n.ConfigName ?? n.ConfigId);
        return n.Event switch
        {
            NotificationEvents.BackupSucceeded => $"Backup succeeded: {name}",
            NotificationEvents.BackupCompletedWithWarnings => $"Backup completed with warnings: {name}",
            NotificationEvents.BackupFailed => $"Backup failed: {name}",
            NotificationEvents.BackupCancelled => $"Backup cancelled: {name}",
            NotificationEvents.AlertRaised => $"Alert {n.Alert?.Type} ({n.Alert?.Severity}): {name}",
            NotificationEvents.RestoreCompleted => $"Restore completed: {name}",
            NotificationEvents.RestoreFailed => $"Restore failed: {name}",
            NotificationEvents.RestoreRolledBack => $"Restore rolled back: {name}",
            _ => $"{n.Event}: {name}",
        };
    }

    // A config name is user input: it must not break the subject into header lines or the body's layout.
    private static string OneLine(string text) => string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c)).Trim();

    private static string? Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Size(long bytes)
    {
        string[] units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} bytes" : $"{value.ToString("0.##", CultureInfo.InvariantCulture)} {units[unit]}";
    }
}
