using System.Text;
using BackupCli;

namespace BackupCli.Tests;

/// <summary>The JSON of a long listing is written to stdout as it is serialized, in pieces.</summary>
public sealed class TextWriterStreamTests
{
    [Fact]
    public void Characters_split_across_writes_arrive_whole()
    {
        var text = "uploads/Grüße/日本語.txt 😀";
        var bytes = Encoding.UTF8.GetBytes(text);
        var output = new StringWriter();
        using var stream = new TextWriterStream(output);

        foreach (var b in bytes)
            stream.Write([b]);

        Assert.Equal(text, output.ToString());
    }
}
