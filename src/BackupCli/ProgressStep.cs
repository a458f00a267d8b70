using Spectre.Console;

namespace BackupCli;

/// <summary>One bar of <see cref="ProgressBars"/>; does nothing when no bars are drawn.</summary>
internal sealed class ProgressStep(ProgressTask? task)
{
    public void Report(long bytes)
    {
        if (task is not null)
            task.Value = bytes;
    }

    public void Complete()
    {
        if (task is null)
            return;
        task.IsIndeterminate = false;
        task.Value = task.MaxValue;
        task.StopTask();
    }
}
