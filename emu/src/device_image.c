/* device_image.c - ownership of the in-memory device image. */
#include "device_image.h"

#include <stdlib.h>
#include <string.h>

void lv_dev_image_free(lv_dev_image *img)
{
    if (!img)
        return;
    free(img->c);
    free(img->ej);
    free(img->cb);
    free(img->digits);
    free(img->digit_labels);
    memset(img, 0, sizeof *img);
}
