using System.Net;
using System.Net.Sockets;
using BackupFunctions.Core.Notifications;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Core.Tests.Notifications;

/// <summary>EmailSender against the real SMTP sink (aiosmtpd, STARTTLS required) of scripts/servers/smtp-sink.sh.</summary>
public sealed class EmailSenderTests
{
    private static EmailSender Sender(Action<Dictionary<string, string?>>? change = null)
    {
        var settings = NotificationHarness.Settings();
        change?.Invoke(settings);
        return NotificationHarness.Build(settings).GetRequiredService<EmailSender>();
    }

    [Fact]
    public async Task Sends_a_plain_text_message_over_starttls_with_login_and_the_facts_of_the_event()
    {
        var to = SmtpSink.UniqueRecipient("ops");
        var notification = NotificationHarness.FailedJob("shop");

        var delivery = await Sender().SendAsync([to], notification, default);

        Assert.True(delivery.Delivered, delivery.Error);
        Assert.Equal(NotificationDelivery.Email, delivery.Channel);
        var sunk = Assert.Single(await SmtpSink.WaitForAsync(to, 1, TimeSpan.FromSeconds(10)));
        Assert.True(sunk.Tls, "the message did not travel over STARTTLS");
        Assert.True(sunk.Authenticated);
        Assert.Equal("backups@example.test", sunk.MailFrom);
        Assert.Equal("[BackupFunctions] Backup failed: shop", sunk.Message.Subject);
        Assert.Equal("backup.failed", sunk.Message.Headers["X-BackupFunctions-Event"]);
        Assert.Equal("text/plain", sunk.Message.Body!.ContentType.MimeType);
        var text = sunk.Text;
        Assert.Contains("Event:      backup.failed", text, StringComparison.Ordinal);
        Assert.Contains("Config:     shop (cfg-1)", text, StringComparison.Ordinal);
        Assert.Contains("Job:        job-1", text, StringComparison.Ordinal);
        Assert.Contains("Error:      DumpDatabase failed: connection refused", text, StringComparison.Ordinal);
        Assert.Contains("Duration:   60 s", text, StringComparison.Ordinal);
        Assert.Contains("https://backups.example.test/api/backup-jobs/job-1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_other_than_the_pinned_one_is_refused_and_nothing_is_sent()
    {
        var to = SmtpSink.UniqueRecipient("pin");
        var sender = Sender(s => s["Notifications:Smtp:CertificateSha256"] = new string('A', 64));

        var delivery = await sender.SendAsync([to], NotificationHarness.FailedJob(), default);

        Assert.False(delivery.Delivered);
        Assert.Equal(1, delivery.Attempts);
        Assert.Contains("not the one pinned", delivery.Error, StringComparison.Ordinal);
        await Task.Delay(300);
        Assert.Empty(SmtpSink.MessagesTo(to));
    }

    [Fact]
    public async Task Without_a_pin_a_self_signed_certificate_is_refused()
    {
        var to = SmtpSink.UniqueRecipient("nopin");
        var sender = Sender(s => s["Notifications:Smtp:CertificateSha256"] = "");

        var delivery = await sender.SendAsync([to], NotificationHarness.FailedJob(), default);

        Assert.False(delivery.Delivered);
        Assert.Contains("not valid for '127.0.0.1'", delivery.Error, StringComparison.Ordinal);
        Assert.Empty(SmtpSink.MessagesTo(to));
    }

    [Fact]
    public async Task Without_tls_the_server_that_requires_starttls_refuses_and_it_is_not_retried()
    {
        var to = SmtpSink.UniqueRecipient("plain");
        var sender = Sender(s =>
        {
            s["Notifications:Smtp:Security"] = "None";
            s["Notifications:Smtp:Username"] = "";
        });

        var delivery = await sender.SendAsync([to], NotificationHarness.FailedJob(), default);

        Assert.False(delivery.Delivered);
        Assert.Equal(1, delivery.Attempts);
        Assert.Contains("refused to take mail on this session: Must issue a STARTTLS command first", delivery.Error, StringComparison.Ordinal);
        Assert.Empty(SmtpSink.MessagesTo(to));
    }

    [Fact]
    public async Task A_wrong_password_is_a_failed_delivery()
    {
        var to = SmtpSink.UniqueRecipient("login");
        var sender = Sender(s => s["SMTP_PASSWORD"] = "wrong-password");

        var delivery = await sender.SendAsync([to], NotificationHarness.FailedJob(), default);

        Assert.False(delivery.Delivered);
        Assert.Equal(1, delivery.Attempts);
        Assert.Contains("refused the login of 'notify'", delivery.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password", delivery.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_is_down_is_a_failed_delivery_after_the_retries()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var sender = Sender(s => s["Notifications:Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var delivery = await sender.SendAsync([SmtpSink.UniqueRecipient("down")], NotificationHarness.FailedJob(), default);

        Assert.False(delivery.Delivered);
        Assert.Equal(2, delivery.Attempts);
        Assert.Contains($"Cannot reach the SMTP server 127.0.0.1:{port}", delivery.Error, StringComparison.Ordinal);
    }
}
